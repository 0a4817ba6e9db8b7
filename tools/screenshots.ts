// npm run screenshots -- --out DIR: starts an appliance of its own (the shipped defaults, a temporary data
// folder, a free port), opens each page of the UI at 1280×800 in headless Chromium once the page shows real
// content, and writes cameras.png, live.png, events.png, detections.png, cluster.png and planner.png into DIR.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { browserMissing, launchBrowser, startAppliance } from './uiHarness.ts';

const READY_TIMEOUT_MS = 90_000;

/** Each page, and what must be on screen before it is photographed. */
const SHOTS: ReadonlyArray<{ file: string; path: string; ready: (page: Page) => Promise<unknown> }> = [
  {
    file: 'live.png',
    path: '/live',
    ready: (page) => page.locator('article.tile rect[data-label]').first().waitFor({ timeout: READY_TIMEOUT_MS }),
  },
  {
    file: 'cameras.png',
    path: '/cameras',
    ready: (page) => page.getByText('online').first().waitFor({ timeout: READY_TIMEOUT_MS }),
  },
  {
    // The demo camera's tracked objects: the first event once the tracker has seen one.
    file: 'events.png',
    path: '/events',
    ready: (page) => page.locator('table.events-table tbody tr').first().waitFor({ timeout: READY_TIMEOUT_MS }),
  },
  {
    file: 'detections.png',
    path: '/detections',
    ready: (page) => page.locator('main table tbody tr').first().waitFor({ timeout: READY_TIMEOUT_MS }),
  },
  {
    file: 'cluster.png',
    path: '/cluster',
    ready: (page) => page.locator('table.nodes tbody tr[data-node]').first().waitFor({ timeout: READY_TIMEOUT_MS }),
  },
  {
    file: 'planner.png',
    path: '/planner',
    ready: async (page) => {
      await page.getByLabel('Problem').selectOption('cluster', { timeout: READY_TIMEOUT_MS });
      await page.getByRole('button', { name: /run/i }).click();
      await page.locator('main img[src^="data:image/svg+xml"]').first().waitFor({ timeout: READY_TIMEOUT_MS });
    },
  },
];

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (values.out === undefined) {
    process.stderr.write('usage: npm run screenshots -- --out DIR\n');
    return 2;
  }
  const missing = browserMissing();
  if (missing !== undefined) {
    process.stderr.write(`screenshots: ${missing}\n`);
    return 1;
  }
  const outDir = path.resolve(values.out);
  mkdirSync(outDir, { recursive: true });
  const appliance = await startAppliance();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    for (const shot of SHOTS) {
      await page.goto(appliance.url + shot.path);
      try {
        await shot.ready(page);
      } catch (error) {
        throw new Error(`${shot.path} did not show its content: ${(error as Error).message.split('\n')[0]}`, {
          cause: error,
        });
      }
      await page.waitForTimeout(300); // let the last frame and layout settle
      const file = path.join(outDir, shot.file);
      await page.screenshot({ path: file });
      process.stdout.write(`${file}\n`);
    }
    return 0;
  } finally {
    await browser.close();
    await appliance.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`screenshots: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
