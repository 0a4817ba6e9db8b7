/**
 * JPEG snapshots of frames with detections, throttled per camera and kept under <dataDir>/snapshots/<camera>/
 * with retention by age and count. A full disk is reported and counted (after retention had its go), never thrown.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import type { Logger } from '../config/index.ts';
import { isDiskFull } from './detectionStore.ts';

export type RgbPixels = { width: number; height: number; data: Uint8Array };

export type SnapshotOptions = {
  dir: string;
  minIntervalMs: number;
  retentionDays: number;
  maxFiles: number;
  quality: number;
  log: Logger;
};

/** Encodes RGB24 pixels as JPEG, optionally scaled down (nearest neighbour) to at most `maxWidth` pixels wide. */
export function encodeJpeg(image: RgbPixels, quality: number, maxWidth?: number): Buffer {
  const scale = maxWidth !== undefined && image.width > maxWidth ? maxWidth / image.width : 1;
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const rgba = Buffer.allocUnsafe(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.floor(y / scale));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(image.width - 1, Math.floor(x / scale));
      const s = (sy * image.width + sx) * 3;
      const o = (y * width + x) * 4;
      rgba[o] = image.data[s]!;
      rgba[o + 1] = image.data[s + 1]!;
      rgba[o + 2] = image.data[s + 2]!;
      rgba[o + 3] = 255;
    }
  }
  return jpeg.encode({ data: rgba, width, height }, quality).data;
}

export class SnapshotStore {
  private readonly lastSavedMs = new Map<string, number>();
  private sequence = 0;
  private failedWrites = 0;
  private written = 0;

  constructor(private readonly options: SnapshotOptions) {}

  start(): void {
    mkdirSync(this.options.dir, { recursive: true });
  }

  stats(): { written: number; failedWrites: number } {
    return { written: this.written, failedWrites: this.failedWrites };
  }

  /** Saves a snapshot unless one of this camera was saved less than minIntervalMs ago; returns its ref or null. */
  maybeSave(camera: string, image: RgbPixels, timeMs: number): string | null {
    const last = this.lastSavedMs.get(camera);
    if (last !== undefined && timeMs - last < this.options.minIntervalMs) return null;
    this.lastSavedMs.set(camera, timeMs);
    const ref = `${camera}/${timeMs}-${(this.sequence++ % 1000).toString().padStart(3, '0')}.jpg`;
    const file = path.join(this.options.dir, ref);
    const write = (): void => {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, encodeJpeg(image, this.options.quality));
    };
    try {
      write();
    } catch (error) {
      if (!isDiskFull(error)) return this.fail(error, ref);
      this.applyRetention(Date.now(), Math.floor(this.options.maxFiles / 2));
      try {
        write();
      } catch (retryError) {
        return this.fail(retryError, ref);
      }
    }
    this.written++;
    return ref;
  }

  private fail(error: unknown, ref: string): null {
    this.failedWrites++;
    this.options.log.error({ err: error, ref, failedWrites: this.failedWrites }, 'snapshot could not be written');
    return null;
  }

  /** Reads a snapshot by ref; undefined when it is gone or the ref is not one of ours. */
  read(ref: string): Buffer | undefined {
    if (!/^[a-z0-9][a-z0-9_-]*\/\d+-\d{3}\.jpg$/.test(ref)) return undefined;
    try {
      return readFileSync(path.join(this.options.dir, ref));
    } catch {
      return undefined;
    }
  }

  /** Deletes snapshots older than retentionDays and the oldest beyond `maxFiles`; returns how many went. */
  applyRetention(nowMs: number = Date.now(), maxFiles: number = this.options.maxFiles): number {
    const files: Array<{ file: string; timeMs: number }> = [];
    let cameras: string[];
    try {
      cameras = readdirSync(this.options.dir);
    } catch {
      return 0;
    }
    for (const camera of cameras) {
      const dir = path.join(this.options.dir, camera);
      try {
        if (!statSync(dir).isDirectory()) continue;
        for (const name of readdirSync(dir)) {
          const timeMs = Number(name.split('-')[0]);
          if (Number.isFinite(timeMs)) files.push({ file: path.join(dir, name), timeMs });
        }
      } catch {
        continue;
      }
    }
    files.sort((a, b) => a.timeMs - b.timeMs);
    const cutoff = nowMs - this.options.retentionDays * 86_400_000;
    const excess = Math.max(0, files.length - maxFiles);
    let deleted = 0;
    files.forEach((entry, index) => {
      if (index < excess || entry.timeMs < cutoff) {
        rmSync(entry.file, { force: true });
        deleted++;
      }
    });
    return deleted;
  }
}
