// The Live page in Chromium against a real appliance: the face photograph's camera (decoded at half the
// photograph's size) is shown with a box drawn over its frame as an SVG <rect> with data-label and data-score,
// at the logged detection's box in source pixels (within 1 px), in the grid and full size.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { DetectionItem, DetectionsResponse } from '../../src/server/api.ts';
import { MODEL } from '../applianceSupport.ts';
import { testPhoto, waitFor } from '../helpers.ts';
import { applianceDuringSuite, browserDuringSuite, skipReasonFor } from './browserSupport.ts';

/** Generous: the first frame needs ffmpeg to start and the model to load. */
const FIRST_BOX_TIMEOUT_MS = 30_000;

type DrawnBox = { label: string; score: number; x: number; y: number; width: number; height: number };

async function drawnBox(page: Page, selector: string): Promise<DrawnBox> {
  const rect = page.locator(selector).first();
  await rect.waitFor({ timeout: FIRST_BOX_TIMEOUT_MS });
  const attribute = async (name: string): Promise<string> => {
    const value = await rect.getAttribute(name);
    assert.ok(value !== null, `${selector} has ${name}`);
    return value;
  };
  return {
    label: await attribute('data-label'),
    score: Number(await attribute('data-score')),
    x: Number(await attribute('x')),
    y: Number(await attribute('y')),
    width: Number(await attribute('width')),
    height: Number(await attribute('height')),
  };
}

function assertAtDetection(drawn: DrawnBox, detection: DetectionItem): void {
  const [x1, y1, x2, y2] = detection.box;
  const expected = { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
  for (const key of ['x', 'y', 'width', 'height'] as const)
    assert.ok(
      Math.abs(drawn[key] - expected[key]) <= 1,
      `${key}: drawn ${drawn[key]}, detected ${expected[key]} (box ${detection.box.join(', ')})`,
    );
  assert.equal(drawn.label, detection.label);
  assert.ok(Math.abs(drawn.score - detection.score) < 0.01, `score: drawn ${drawn.score}, detected ${detection.score}`);
}

describe('Live page in Chromium', { timeout: 90_000 }, () => {
  const skip = skipReasonFor('Live');
  const suite = applianceDuringSuite(
    'live',
    `version: 1
models:
  - { id: blazeface, kind: blazeface, path: ${MODEL}, threshold: 0.75 }
cameras:
  - { id: astro, name: Astronaut, url: "image:${testPhoto('astronaut.png')}", fps: 4, width: 256, height: 256 }
server:
  port: 0
`,
    skip,
  );
  const browser = browserDuringSuite(skip);
  const newestFace = async (): Promise<DetectionItem> =>
    waitFor('a face in the log', async () => {
      const { items } = await suite.json<DetectionsResponse>('/api/detections?camera=astro&limit=1');
      return items[0];
    });

  it("draws the face's box over the grid's frame and full size, at the detection's source pixels", async (t) => {
    if (skip) return t.skip(skip);
    const page = await browser.newPage();
    await page.goto(`${suite.baseUrl()}/live`);
    const inGrid = await drawnBox(page, 'article.tile[data-camera="astro"] rect[data-label]');
    const detection = await newestFace();
    // The photograph is 512×512, decoded at 256×256: boxes stay in the photograph's pixels.
    assert.deepEqual([detection.sourceWidth, detection.sourceHeight], [512, 512]);
    assert.equal(await page.locator('article.tile svg').getAttribute('viewBox'), '0 0 512 512');
    assertAtDetection(inGrid, detection);

    await page.getByRole('link', { name: 'Astronaut: open full size' }).click();
    await page.waitForURL('**/live/astro');
    const fullSize = await drawnBox(page, 'main .frame rect[data-label]');
    assertAtDetection(fullSize, await newestFace());
    console.log(`drawn ${JSON.stringify(fullSize)} for box ${JSON.stringify(detection.box)}`);
  });
});
