/**
 * Writes a model derived from another (converted, made batch-dynamic) into the data folder: only when its bytes
 * changed, so that the file a running worker's partitions came from stays put, and whole (written beside it,
 * then renamed), so that a reader never sees half a model.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function writeDerivedModelFile(file: string, bytes: Uint8Array): void {
  if (sameBytes(file, bytes)) return;
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  try {
    writeFileSync(partial, bytes);
    renameSync(partial, file);
  } finally {
    rmSync(partial, { force: true });
  }
}

function sameBytes(file: string, bytes: Uint8Array): boolean {
  try {
    return readFileSync(file).equals(bytes);
  } catch {
    return false;
  }
}
