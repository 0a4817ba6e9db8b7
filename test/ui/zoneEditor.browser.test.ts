// The zone and mask editor on a camera's Live page, in Chromium against a real appliance: a zone drawn with the
// mouse (closed by a double-click) and a mask (closed by Enter) are saved through the camera API, land in GET
// /api/cameras/:id and the config file where they were clicked, and are drawn again after a reload; a zone
// named like a camera (typed as points, the keyboard's way) is refused beside that zone and saves nothing;
// Escape cancels a drawing; axe finds no serious or critical violation with the editor open.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';
import { loadAppConfig } from '../../src/config/index.ts';
import type { CameraView } from '../../src/server/api.ts';
import { MODEL } from '../applianceSupport.ts';
import { testPhoto } from '../helpers.ts';
import { applianceDuringSuite, browserDuringSuite, skipReasonFor } from './browserSupport.ts';

/** Generous: the camera's first frame needs ffmpeg to start. */
const FRAME_TIMEOUT_MS = 30_000;
/** Where the zone and the mask are clicked, as fractions of the shown frame. */
const ZONE_CLICKS: Array<[number, number]> = [
  [0.1, 0.1],
  [0.6, 0.1],
  [0.6, 0.5],
  [0.1, 0.5],
];
const MASK_CLICKS: Array<[number, number]> = [
  [0.7, 0.7],
  [0.9, 0.7],
  [0.8, 0.9],
];

type Shown = { width: number; height: number };

/** Clicks at fractions of the canvas; the source pixels they should give (whole pixels, as the editor rounds). */
async function clickAt(canvas: Locator, shown: Shown, fractions: Array<[number, number]>, last: 'click' | 'dblclick') {
  for (const [index, [fx, fy]] of fractions.entries()) {
    const position = { x: Math.round(shown.width * fx), y: Math.round(shown.height * fy) };
    if (index === fractions.length - 1 && last === 'dblclick') await canvas.dblclick({ position });
    else await canvas.click({ position });
  }
}

function assertNear(actual: Array<[number, number]>, fractions: Array<[number, number]>, source: Shown, slack: number) {
  assert.equal(actual.length, fractions.length, `${JSON.stringify(actual)}: one point per click`);
  actual.forEach(([x, y], index) => {
    const [fx, fy] = fractions[index]!;
    assert.ok(Math.abs(x - fx * source.width) <= slack, `x ${x} ≈ ${fx * source.width}`);
    assert.ok(Math.abs(y - fy * source.height) <= slack, `y ${y} ≈ ${fy * source.height}`);
    assert.ok(Number.isInteger(x) && Number.isInteger(y), 'whole source pixels');
  });
}

describe('zone and mask editor in Chromium', { timeout: 90_000 }, () => {
  const skip = skipReasonFor('zone editor');
  const suite = applianceDuringSuite(
    'zones',
    `version: 1
models:
  - { id: blazeface, kind: blazeface, path: ${MODEL} }
cameras:
  - { id: astro, url: "image:${testPhoto('astronaut.png')}", fps: 2, width: 256, height: 256 }
server:
  port: 0
`,
    skip,
  );
  const browser = browserDuringSuite(skip);
  const cameraView = (): Promise<CameraView> => suite.json<CameraView>('/api/cameras/astro');

  const openEditor = async (page: Page): Promise<Locator> => {
    await page.goto(`${suite.baseUrl()}/live/astro`);
    await page.getByRole('button', { name: 'Edit zones and masks' }).click();
    await page.locator('.zone-canvas img').waitFor({ timeout: FRAME_TIMEOUT_MS });
    return page.locator('.zone-canvas svg');
  };

  it('draws a zone and a mask with the mouse, saves them, and draws them again after a reload', async (t) => {
    if (skip) return t.skip(skip);
    const page = await browser.newPage();
    const canvas = await openEditor(page);
    const box = (await canvas.boundingBox())!;
    const camera = await cameraView();
    const source = { width: camera.sourceWidth!, height: camera.sourceHeight! };
    assert.deepEqual(source, { width: 512, height: 512 }, "the photograph's own size");
    // One CSS pixel of rounding in the click, one source pixel of rounding in the editor.
    const slack = source.width / box.width + 1;

    await page.getByLabel("New zone's name").fill('driveway');
    await page.getByRole('button', { name: 'Add zone' }).click();
    await clickAt(canvas, box, ZONE_CLICKS, 'dblclick');
    await page.getByText('Zone driveway: points').waitFor();

    // Escape cancels a drawing: nothing is added.
    await page.getByRole('button', { name: 'Add mask' }).click();
    await clickAt(canvas, box, MASK_CLICKS.slice(0, 1), 'click');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Add mask' }).click();
    await clickAt(canvas, box, MASK_CLICKS, 'click');
    await page.keyboard.press('Enter');
    await page.getByText('Mask 1: points').waitFor();
    assert.equal(await page.locator('.shape-list > li').count(), 2);

    await page.getByRole('button', { name: 'Save zones and masks' }).click();
    await page.getByText('Saved: 1 zone(s), 1 mask(s).').waitFor();
    const saved = await cameraView();
    assert.deepEqual(Object.keys(saved.zones), ['driveway']);
    const zone = saved.zones['driveway']!.coordinates;
    const mask = saved.objects.mask![0]!;
    assertNear(zone, ZONE_CLICKS, source, slack);
    assertNear(mask, MASK_CLICKS, source, slack);
    assert.equal(saved.objects.mask!.length, 1);
    const inFile = loadAppConfig(suite.configFile, {}).cameras[0]!;
    assert.deepEqual([inFile.zones, inFile.objects.mask], [saved.zones, saved.objects.mask]);
    // The text list shows exactly what was saved.
    assert.equal(
      await page.getByLabel('Zone driveway: points').inputValue(),
      zone.map(([x, y]) => `${x},${y}`).join(' '),
    );

    await page.reload();
    const again = await openEditor(page);
    assert.equal(
      await again.locator('polygon[data-zone="driveway"]').getAttribute('points'),
      zone.map(([x, y]) => `${x},${y}`).join(' '),
    );
    assert.equal(
      await again.locator('polygon[data-mask="0"]').getAttribute('points'),
      mask.map(([x, y]) => `${x},${y}`).join(' '),
    );

    const { violations } = await new AxeBuilder({ page }).analyze();
    const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    for (const v of violations) console.log(`axe on the zone editor: ${v.impact} ${v.id}: ${v.help}`);
    assert.deepEqual(
      blocking.map((v) => v.id),
      [],
    );
  });

  it("shows the server's refusal of a zone named like a camera beside that zone, and saves nothing", async (t) => {
    if (skip) return t.skip(skip);
    const page = await browser.newPage();
    await openEditor(page);
    const before = await cameraView();
    const fileBefore = readFileSync(suite.configFile, 'utf8');

    // Typed points and Enter: the keyboard's way to draw.
    await page.getByLabel("New zone's name").fill('astro');
    await page.getByRole('button', { name: 'Add zone' }).click();
    await page.getByLabel('Or type its points').fill('0,0 100,0 100,100');
    await page.getByLabel('Or type its points').press('Enter');
    await page.getByRole('button', { name: 'Save zones and masks' }).click();
    await page.getByRole('alert').getByText('Not saved: see the zones and masks marked below.').waitFor();
    const row = page.locator('.shape-list > li[data-shape="Zone astro"]');
    await row
      .locator('.error')
      .getByText(/zone "astro" has the id of a camera/)
      .waitFor();
    assert.equal(await row.getByRole('textbox').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('li[data-shape="Zone driveway"] .error').count(), 0);
    const refused = await cameraView();
    assert.deepEqual([refused.zones, refused.objects], [before.zones, before.objects]);
    assert.equal(readFileSync(suite.configFile, 'utf8'), fileBefore);

    // Deleting the refused zone and the mask saves the rest.
    await page.getByRole('button', { name: 'Delete zone astro' }).click();
    await page.getByRole('button', { name: 'Delete mask 1' }).click();
    await page.getByRole('button', { name: 'Save zones and masks' }).click();
    await page.getByText('Saved: 1 zone(s), 0 mask(s).').waitFor();
    const after = await cameraView();
    assert.deepEqual([Object.keys(after.zones), after.objects.mask], [['driveway'], []]);
  });
});
