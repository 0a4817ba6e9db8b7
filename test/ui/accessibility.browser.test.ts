// axe-core (through @axe-core/playwright) on every page of the UI at 1280×720, each once it shows real content:
// the log-in page, Live (grid and full size, with a box drawn), Cameras, Detections (rows), Cluster (a node and
// its plan) and Planner (a finished plan of the box's cluster with its charts). No serious or critical
// violation is allowed; the others are printed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { MODEL } from '../applianceSupport.ts';
import { testPhoto } from '../helpers.ts';
import { applianceDuringSuite, browserDuringSuite, skipReasonFor } from './browserSupport.ts';

const PASSWORD = 'an admin password for the axe test';
/** Generous: the first frame waits for the cluster's first plan and the camera's ffmpeg. */
const CONTENT_TIMEOUT_MS = 60_000;
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

/** Each page and what must be on screen before it is checked. */
const PAGES: ReadonlyArray<{ path: string; ready: (page: Page) => Promise<unknown> }> = [
  { path: '/live', ready: (page) => page.locator('article.tile rect[data-label]').first().waitFor() },
  { path: '/live/astro', ready: (page) => page.locator('main .frame rect[data-label]').first().waitFor() },
  { path: '/cameras', ready: (page) => page.locator('.status-online', { hasText: 'online' }).first().waitFor() },
  { path: '/detections', ready: (page) => page.locator('table.detections-table tbody tr').first().waitFor() },
  {
    path: '/cluster',
    ready: async (page) => {
      await page.locator('table.nodes tr[data-node="local-0"]').waitFor();
      await page.locator('.plan .pool').first().waitFor();
    },
  },
  {
    path: '/planner',
    ready: async (page) => {
      await page.getByLabel('Problem').selectOption('cluster');
      await page.getByRole('button', { name: 'Run' }).click();
      await page.locator('main img[src^="data:image/svg+xml"]').first().waitFor();
    },
  },
];

type Finding = { page: string; impact: string; rule: string; help: string; targets: string[] };

async function axeFindings(page: Page, path: string): Promise<Finding[]> {
  const { violations, passes } = await new AxeBuilder({ page }).analyze();
  // A page whose checks all came back empty was not analysed (an empty page, a failed injection).
  assert.ok(passes.length > 0, `axe ran no passing rule on ${path}`);
  console.log(`axe on ${path}: ${passes.length} rules passed, ${violations.length} violated`);
  return violations.map((violation) => ({
    page: path,
    impact: violation.impact ?? 'unknown',
    rule: violation.id,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(' ')),
  }));
}

describe('accessibility of every page (axe-core)', { timeout: 150_000 }, () => {
  const skip = skipReasonFor('accessibility');
  const suite = applianceDuringSuite(
    'axe',
    `version: 1
models:
  - { id: blazeface, kind: blazeface, path: ${MODEL}, threshold: 0.75 }
cameras:
  - { id: astro, name: Astronaut, url: "image:${testPhoto('astronaut.png')}", fps: 2, width: 256, height: 256 }
server:
  port: 0
  auth: required
cluster:
  localWorkers: 1
  workerThreads: 1
`,
    skip,
    { ...process.env, PPIPE_ADMIN_PASSWORD: PASSWORD },
  );
  const browser = browserDuringSuite(skip);

  it('finds no serious or critical violation on any page', async (t) => {
    if (skip) return t.skip(skip);
    const page = await browser.newPage();
    page.setDefaultTimeout(CONTENT_TIMEOUT_MS);
    const findings: Finding[] = [];

    await page.goto(`${suite.baseUrl()}/login`);
    await page.getByLabel('Password').waitFor();
    findings.push(...(await axeFindings(page, '/login')));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /log in/i }).click();
    await page.waitForURL('**/live');

    for (const { path, ready } of PAGES) {
      await page.goto(suite.baseUrl() + path);
      try {
        await ready(page);
      } catch (error) {
        throw new Error(`${path} did not show its content`, { cause: error });
      }
      findings.push(...(await axeFindings(page, path)));
    }

    for (const finding of findings)
      console.log(`axe ${finding.impact} on ${finding.page}: ${finding.rule} (${finding.help}) at ${finding.targets}`);
    const blocking = findings.filter((finding) => BLOCKING_IMPACTS.has(finding.impact));
    assert.deepEqual(
      blocking.map((finding) => `${finding.page} ${finding.rule}: ${finding.targets.join(' | ')}`),
      [],
    );
  });
});
