// Shared test helpers: fixture plans, the invariant checks of reference §J.7 and the one polling wait.
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../src/config/index.ts';

export { REPO_ROOT };
import type { Dispatch, ServingPlan, ServingTopology } from '../src/pipeline/index.ts';
import { servingPlanFromArtifact } from '../src/pipeline/index.ts';

export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');

export function fixturePlan(name: string): ServingPlan {
  const file = path.join(FIXTURES, name);
  return servingPlanFromArtifact(JSON.parse(readFileSync(file, 'utf8')) as unknown, {}, file);
}

/** Overlapping pairs among half-open intervals, as messages (empty when none). */
export function overlaps(intervals: Array<[number, number]>, label: string): string[] {
  const sorted = intervals.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: string[] = [];
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]![0] < sorted[i - 1]![1])
      out.push(`${label}: [${sorted[i - 1]!.join(', ')}) overlaps [${sorted[i]!.join(', ')})`);
  }
  return out;
}

/** Per-resource intervals of reserved dispatches: GPUs by instance, uplinks and downlinks by server. */
export function reservedIntervals(
  topology: ServingTopology,
  dispatches: ReadonlyArray<Dispatch>,
): Map<string, Array<[number, number]>> {
  const byResource = new Map<string, Array<[number, number]>>();
  const add = (key: string, s: number, e: number): void => {
    const list = byResource.get(key) ?? [];
    list.push([s, e]);
    byResource.set(key, list);
  };
  for (const d of dispatches) {
    d.hops.forEach((hop, i) => {
      add(`gpu ${hop.instance}`, hop.inferStartUs, hop.inferEndUs);
      if (i > 0 && hop.transferEndUs > hop.transferStartUs) {
        add(`up ${topology.instanceServer[d.hops[i - 1]!.instance]}`, hop.transferStartUs, hop.transferEndUs);
        add(`down ${topology.instanceServer[hop.instance]}`, hop.transferStartUs, hop.transferEndUs);
      }
    });
  }
  return byResource;
}

/** A test photograph: astronaut.png (one face) is the demo camera's, the others are in test/fixtures/media. */
export function testPhoto(name: 'astronaut.png' | 'coffee.png' | 'chelsea.png'): string {
  return name === 'astronaut.png' ? path.join(REPO_ROOT, 'media', 'demo', name) : path.join(FIXTURES, 'media', name);
}

/** The first executable of that name on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Polls `probe` every 20 ms until it gives a value other than undefined or false (a condition that holds, or
 * the thing waited for) and returns it; fails naming `what` after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One row of the detections CSV export (`CSV_HEADER`'s columns), typed for comparison with a stored row. */
export function parseCsvDetection(line: string): {
  id: number;
  camera: string | undefined;
  timeMs: number;
  label: string | undefined;
  score: number;
  box: number[];
  model: string | undefined;
  latencyMs: number;
  sloMet: boolean;
  sourceWidth: number | null;
  sourceHeight: number | null;
} {
  const [id, camera, time, label, score, x1, y1, x2, y2, model, latency, slo, sw, sh] = line.split(',');
  return {
    id: Number(id),
    camera,
    timeMs: Number(time),
    label,
    score: Number(score),
    box: [x1, y1, x2, y2].map(Number),
    model,
    latencyMs: Number(latency),
    sloMet: slo === '1',
    sourceWidth: sw ? Number(sw) : null,
    sourceHeight: sh ? Number(sh) : null,
  };
}

/** The fields of a stored detection that its CSV row carries. */
export function csvFieldsOf(d: {
  id: number;
  camera: string;
  timeMs: number;
  label: string;
  score: number;
  box: ReadonlyArray<number>;
  model: string;
  latencyMs: number;
  sloMet: boolean;
  sourceWidth: number | null;
  sourceHeight: number | null;
}): ReturnType<typeof parseCsvDetection> {
  const { id, camera, timeMs, label, score, box, model, latencyMs, sloMet, sourceWidth, sourceHeight } = d;
  return { id, camera, timeMs, label, score, box: [...box], model, latencyMs, sloMet, sourceWidth, sourceHeight };
}
