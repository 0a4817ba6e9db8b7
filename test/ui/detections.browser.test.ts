// The Detections page in Chromium against a real appliance: the log filtered through the page's form (camera,
// label, minimum score; what was typed survives the list's arrival), then the page's "Export CSV" link
// downloaded; its rows equal the filtered /api/detections items field by field (with timeIso beside time),
// oldest first.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { CameraView, DetectionsResponse } from '../../src/server/api.ts';
import { CSV_HEADER } from '../../src/store/index.ts';
import { MODEL } from '../applianceSupport.ts';
import { parseDetectionsCsv, testPhoto, waitFor } from '../helpers.ts';
import { applianceDuringSuite, browserDuringSuite, skipReasonFor } from './browserSupport.ts';

const FILTER = { camera: 'porch', label: 'face', minScore: '0.5' };
const FILTER_QUERY = new URLSearchParams(FILTER).toString();

describe('Detections page in Chromium', { timeout: 90_000 }, () => {
  const skip = skipReasonFor('Detections');
  // Two cameras on the face photograph: the camera filter keeps one of them.
  const suite = applianceDuringSuite(
    'detections',
    `version: 1
models:
  - { id: blazeface, kind: blazeface, path: ${MODEL}, threshold: 0.5 }
cameras:
  - { id: porch, url: "image:${testPhoto('astronaut.png')}", fps: 4, width: 256, height: 256 }
  - { id: yard, url: "image:${testPhoto('astronaut.png')}", fps: 4, width: 256, height: 256 }
server:
  port: 0
`,
    skip,
  );
  const browser = browserDuringSuite(skip);
  const total = async (query: string): Promise<number> =>
    (await suite.json<DetectionsResponse>(`/api/detections?limit=1&${query}`)).total;

  it('downloads a CSV of exactly the rows filtered in the page', async (t) => {
    if (skip) return t.skip(skip);
    await waitFor('three detections of each camera', async () =>
      (await total('camera=porch')) >= 3 && (await total('camera=yard')) >= 3 ? true : undefined,
    );
    // Disabled cameras keep the log still while it is compared with the download.
    for (const id of ['porch', 'yard'])
      await suite.json(`/api/cameras/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: false }),
      });
    await waitFor('both cameras disabled', async () => {
      const { items } = await suite.json<{ items: CameraView[] }>('/api/cameras');
      return items.every((camera) => camera.status === 'disabled') ? true : undefined;
    });
    let last = -1;
    await waitFor(
      'the log to stop growing',
      async () => {
        const now = await total('');
        const still = now === last;
        last = now;
        if (!still) await new Promise((resolve) => setTimeout(resolve, 500));
        return still ? true : undefined;
      },
      30_000,
    );

    const page = await browser.newPage();
    // The page's first list is held back until the filters are typed: its arrival re-renders the page, and
    // what was typed must survive that (it did not when the form reset its draft on every render).
    let releaseList!: () => void;
    const listHeld = new Promise<void>((resolve) => (releaseList = resolve));
    await page.route('**/api/detections?*', async (route) => {
      await listHeld;
      await route.continue();
    });
    await page.goto(`${suite.baseUrl()}/detections`);
    const filters = page.getByRole('form', { name: 'Filters' });
    await filters.getByLabel('Camera').selectOption(FILTER.camera);
    await filters.getByLabel('Label').fill(FILTER.label);
    await filters.getByLabel('Minimum score').fill(FILTER.minScore);
    releaseList();
    await page
      .getByRole('status')
      .getByText(`${await total('')} detections match`)
      .waitFor();
    assert.equal(await filters.getByLabel('Camera').inputValue(), FILTER.camera);
    assert.equal(await filters.getByLabel('Label').inputValue(), FILTER.label);
    assert.equal(await filters.getByLabel('Minimum score').inputValue(), FILTER.minScore);
    await filters.getByRole('button', { name: 'Apply' }).click();

    const expected = await suite.json<DetectionsResponse>(`/api/detections?limit=1000&${FILTER_QUERY}`);
    assert.ok(expected.items.length >= 3 && expected.items.length === expected.total, `${expected.total} rows`);
    assert.ok(expected.total < (await total('')), 'the filter leaves rows out');
    // The page lists the filtered rows (it shows up to 50, newest first).
    await page.getByRole('status').getByText(`${expected.total} detections match`).waitFor();
    const cameraCells = await page.locator('table.detections-table tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual(
      cameraCells,
      expected.items.slice(0, 50).map((item) => item.camera),
    );

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.equal(csv.split('\n')[0], CSV_HEADER);
    const rowsOldestFirst = [...expected.items].reverse().map(({ id, camera, time, ...rest }) => ({
      id,
      camera,
      time,
      timeIso: new Date(time).toISOString(),
      ...rest,
    }));
    assert.deepEqual(parseDetectionsCsv(csv), rowsOldestFirst);
    console.log(`exported ${rowsOldestFirst.length} of ${await total('')} rows`);
  });
});
