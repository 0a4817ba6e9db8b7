/**
 * Where ffmpeg and ffprobe come from: the configured path, else the system's (Debian's `ffmpeg` on PATH),
 * else the static Linux x64 binaries shipped inside the optional registry packages
 * `@ffmpeg-installer/linux-x64` and `@ffprobe-installer/linux-x64`, so the Quick start works on a machine
 * without Debian's ffmpeg. Nothing is downloaded at run time.
 */
import { accessSync, chmodSync, constants, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type MediaTool = 'ffmpeg' | 'ffprobe';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, pathVariable: string | undefined): boolean {
  return (pathVariable ?? '').split(path.delimiter).some((dir) => dir !== '' && executable(path.join(dir, name)));
}

/** The shipped binary of a tool, or undefined where its package is not installed (other platforms). */
export function shippedTool(tool: MediaTool): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve(`@${tool}-installer/linux-x64/package.json`);
    const binary = path.join(path.dirname(manifest), tool);
    if (!existsSync(binary)) return undefined;
    // npm may have skipped the package's own chmod (install scripts are opt-in); the file is ours to fix.
    if (!executable(binary)) chmodSync(binary, 0o755);
    return binary;
  } catch {
    return undefined;
  }
}

/**
 * The command to spawn for a tool. A configured path (with a separator) is used as is; a bare name is used
 * when it is on PATH; otherwise the shipped binary, when there is one; otherwise the bare name, so that the
 * spawn error names what is missing.
 */
export function resolveTool(
  tool: MediaTool,
  configured: string,
  pathVariable: string | undefined = process.env.PATH,
): string {
  if (configured.includes(path.sep) || onPath(configured, pathVariable)) return configured;
  return shippedTool(tool) ?? configured;
}
