/**
 * `file:` and `image:` sources come only from the media folders (ingest.mediaDir and the repository's demo
 * media). The URL is checked as written (a `..` that leads out is refused before anything touches the disk);
 * before each open the path is resolved with its symbolic links and checked again, so a link cannot lead out
 * either. Every refusal or absence reads the same, so answers say nothing about paths outside the folders.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** What file and image paths are resolved against and confined to. */
export type SourceContext = {
  /** Relative paths are relative to this folder (the config file's). */
  baseDir: string;
  /** Absolute folders that file and image sources must lie in. */
  mediaDirs: readonly string[];
};

export const OUTSIDE_MEDIA_FOLDER =
  'expected a file inside the media folder (setting ingest.mediaDir, default DATA_DIR/media) or the demo media';
export const NOT_IN_MEDIA_FOLDER = 'not found in the media folder';

/** Whether `file` lies strictly inside `folder` (both absolute and normalised). */
export function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative);
}

/** The absolute path of a file or image URL's path, or undefined when, as written, it lies outside the folders. */
export function mediaPathOf(text: string, context: SourceContext): string | undefined {
  const file = path.resolve(context.baseDir, text);
  return context.mediaDirs.some((dir) => isInside(file, path.resolve(dir))) ? file : undefined;
}

function realFolder(dir: string): string | undefined {
  try {
    return realpathSync(dir);
  } catch {
    return undefined;
  }
}

/**
 * The file to open, with its links resolved, when it is a file inside a media folder; else the one safe
 * reason (a link out of the folders reads like a missing file).
 */
export function openMediaFile(
  file: string,
  mediaDirs: readonly string[],
): { ok: true; path: string } | { ok: false; reason: string } {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return { ok: false, reason: NOT_IN_MEDIA_FOLDER };
  }
  const folders = mediaDirs.map(realFolder).filter((dir) => dir !== undefined);
  if (!folders.some((dir) => isInside(real, dir))) return { ok: false, reason: NOT_IN_MEDIA_FOLDER };
  try {
    if (!statSync(real).isFile()) return { ok: false, reason: 'not a file (a folder?) in the media folder' };
  } catch {
    return { ok: false, reason: NOT_IN_MEDIA_FOLDER };
  }
  return { ok: true, path: real };
}
