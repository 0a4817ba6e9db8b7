// The Cameras page in a real browser against a real appliance: a camera added through the form (a test
// photograph) is listed online; a bad URL shows the server's error beside the URL field and the config file and
// GET /api/cameras are unchanged, as for a photograph outside the media folders. Skips, saying why, without
// Chromium or a built UI.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadAppConfig } from '../../src/config/index.ts';
import type { CameraView } from '../../src/server/api.ts';
import { MODEL } from '../applianceSupport.ts';
import { FIXTURES } from '../helpers.ts';
import { applianceDuringSuite, browserDuringSuite, skipReasonFor } from './browserSupport.ts';

const MEDIA = path.join(FIXTURES, 'media');
const PHOTO = path.join(MEDIA, 'chelsea.png');
/** Generous: the camera's first frame needs ffmpeg to start. */
const ONLINE_TIMEOUT_MS = 30_000;

describe('Cameras page in Chromium', { timeout: 90_000 }, () => {
  const skip = skipReasonFor('Cameras');
  // Test photographs are allowed from the media folder only (ingest.mediaDir).
  const suite = applianceDuringSuite(
    'cameras',
    `version: 1\ningest:\n  mediaDir: ${MEDIA}\nmodels:\n  - { id: blazeface, kind: blazeface, path: ${MODEL} }\n` +
      'cameras: []\nserver:\n  port: 0\n',
    skip,
  );
  const browser = browserDuringSuite(skip);
  const userConfig = suite.configFile;
  const listedCameras = async (): Promise<Array<[string, string, boolean]>> =>
    (await suite.json<{ items: CameraView[] }>('/api/cameras')).items.map((camera) => [
      camera.id,
      camera.url,
      camera.enabled,
    ]);

  it('adds a camera through the form; a bad URL is shown beside its field and saves nothing', async (t) => {
    if (skip) return t.skip(skip);
    const page = await browser.newPage();
    await page.goto(`${suite.baseUrl()}/cameras`);

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
    const listedBefore = await listedCameras();

    await page.getByRole('button', { name: 'Add camera' }).click();
    await page.getByLabel('Camera id').fill('porch');
    await page.getByLabel('Stream URL').fill('gopher://127.0.0.1/x');
    await page.getByRole('button', { name: 'Add camera' }).click();
    const urlErrors = page.locator('#camera_url__error');
    await urlErrors.getByText(/unknown URL scheme "gopher"/).waitFor();
    assert.equal(await page.locator('#camera_id__error').count(), 0);
    // A photograph outside the media folders is refused the same way.
    await page.getByLabel('Stream URL').fill('image:/etc/hostname');
    await page.getByRole('button', { name: 'Add camera' }).click();
    await urlErrors.getByText(/expected a file inside the media folder/).waitFor();
    assert.equal(readFileSync(userConfig, 'utf8'), configBefore);
    assert.deepEqual(await listedCameras(), listedBefore);
  });
});
