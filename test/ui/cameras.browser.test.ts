// The Cameras page in a real browser against a real appliance: a camera added through the form (a test
// photograph) is listed online; a bad URL shows the server's error beside the URL field and the config file is
// unchanged. Skips, saying why, without Chromium, without a built UI, or while the server does not serve it.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { Appliance } from '../../src/appliance.ts';
import { loadAppConfig } from '../../src/config/index.ts';
import { MODEL, runDuringSuite } from '../applianceSupport.ts';
import { FIXTURES, REPO_ROOT } from '../helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const MEDIA = path.join(FIXTURES, 'media');
const PHOTO = path.join(MEDIA, 'chelsea.png');
/** Generous: the camera's first frame needs ffmpeg to start. */
const ONLINE_TIMEOUT_MS = 30_000;

function skipReason(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is absent (install Debian's chromium)`;
  if (!existsSync(path.join(REPO_ROOT, 'app/ui/dist/index.html'))) return 'app/ui/dist is not built (npm run build:ui)';
  return undefined;
}

describe('Cameras page in Chromium', () => {
  const reason = skipReason();
  if (reason) console.log(`skipping the Cameras browser test: ${reason}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-ui-cameras-'));
  const dataDir = path.join(dir, 'data');
  const defaults = path.join(dir, 'defaults.yaml');
  const userConfig = path.join(dataDir, 'config.yaml');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    defaults,
    `version: 1\ningest:\n  mediaDir: ${MEDIA}\nmodels:\n  - { id: blazeface, kind: blazeface, path: ${MODEL} }\n` +
      'cameras: []\nserver:\n  port: 0\n',
  );
  const appliance = new Appliance({
    configFile: defaults,
    editConfigFile: userConfig,
    dataDir,
    logger: pino({ level: 'silent' }),
  });
  const baseUrl = runDuringSuite(appliance, dir);

  it('adds a camera through the form; a bad URL is shown beside its field and saves nothing', async (t) => {
    if (reason) return t.skip(reason);
    const home = await (await fetch(`${baseUrl()}/cameras`)).text();
    if (!home.includes('id="root"')) {
      console.log('skipping the Cameras browser test: the appliance does not serve app/ui/dist yet');
      return t.skip('the appliance does not serve app/ui/dist yet');
    }
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
      await page.goto(`${baseUrl()}/cameras`);

      await page.getByRole('button', { name: 'Add camera' }).click();
      await page.getByLabel('Camera id').fill('door');
      await page.getByLabel('Stream URL').fill(`image:${PHOTO}`);
      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.getByText(/^Connected: png, \d+×\d+/).waitFor();
      await page.getByRole('button', { name: 'Add camera' }).click();
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /door/ }) });
      await row.locator('.status-online', { hasText: 'online' }).waitFor({ timeout: ONLINE_TIMEOUT_MS });
      assert.deepEqual(
        loadAppConfig(userConfig, {}).cameras.map((camera) => [camera.id, camera.url]),
        [['door', `image:${PHOTO}`]],
      );
      const configBefore = readFileSync(userConfig, 'utf8');

      await page.getByRole('button', { name: 'Add camera' }).click();
      await page.getByLabel('Camera id').fill('porch');
      await page.getByLabel('Stream URL').fill('gopher://127.0.0.1/x');
      await page.getByRole('button', { name: 'Add camera' }).click();
      const urlErrors = page.locator('#camera_url__error');
      await urlErrors.getByText(/unknown URL scheme "gopher"/).waitFor();
      assert.equal(await page.locator('#camera_id__error').count(), 0);
      assert.equal(readFileSync(userConfig, 'utf8'), configBefore);
      const listed = (await (await fetch(`${baseUrl()}/api/cameras`)).json()) as { items: Array<{ id: string }> };
      assert.deepEqual(
        listed.items.map((camera) => camera.id),
        ['door'],
      );
    } finally {
      await browser.close();
    }
  });
});
