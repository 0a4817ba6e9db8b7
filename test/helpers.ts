// Shared test helpers: fixture plans, the invariant checks of reference §J.7 and the one polling wait.
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../src/config/index.ts';

export { REPO_ROOT };
import type { Dispatch, ServingPlan, ServingTopology } from '../src/pipeline/index.ts';
import type { StoredDetection } from '../src/store/index.ts';
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

/** The cells of CSV text (RFC 4180: quoted cells may hold commas, quotes doubled and line breaks), row by row. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      rows.push([...row, cell]);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** The export's fields whose values are strings; every other CSV cell holds JSON (empty: null). */
const CSV_TEXT_FIELDS = new Set(['camera', 'label', 'model', 'timeIso']);

/** A detections CSV export's rows as objects keyed by its header, each cell back to its field's value. */
export function parseDetectionsCsv(text: string): Array<Record<string, unknown>> {
  const [header, ...rows] = parseCsv(text);
  return rows.map((cells) =>
    Object.fromEntries(
      header!.map((field, i) => {
        const cell = cells[i] ?? '';
        if (CSV_TEXT_FIELDS.has(field)) return [field, cell];
        return [field, cell === '' ? null : (JSON.parse(cell) as unknown)];
      }),
    ),
  );
}

/** What the export carries of a stored detection: its /api/detections item with `timeIso` after `time`. */
export function exportedFieldsOf(d: StoredDetection): Record<string, unknown> {
  const { id, camera, timeMs, label, score, box, sourceWidth, sourceHeight, model, latencyMs, sloMet } = d;
  return {
    id,
    camera,
    time: timeMs,
    timeIso: new Date(timeMs).toISOString(),
    label,
    score,
    box: [...box],
    sourceWidth,
    sourceHeight,
    model,
    latencyMs,
    sloMet,
    snapshot: d.snapshot !== null,
  };
}
