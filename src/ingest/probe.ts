/**
 * Running ffprobe and one-shot ffmpeg decodes with a deadline: connection tests of cameras and reading still
 * images. Every failure becomes a result or an Error, never an unhandled event; what a connection test tells
 * the caller is the safe reason of openFailure.ts.
 */
import type { Logger, RtspTransport } from '../config/index.ts';
import { buildProbeArgs, buildStillImageArgs, secretInputOf } from './cameraSource.ts';
import type { CameraSource } from './cameraSource.ts';
import type { RgbFrame } from './frameAssembler.ts';
import { openMediaFile } from './mediaFolder.ts';
import { COULD_NOT_OPEN, openFailure } from './openFailure.ts';
import { redactorForUrl, spawnMediaTool } from './secretInput.ts';
import { resolveTool } from './toolPath.ts';

export type ProbeResult =
  | { ok: true; codec: string; width: number; height: number; elapsedMs: number }
  | { ok: false; error: string; elapsedMs: number };

type RunResult = { code: number | null; stdout: Buffer; stderr: string; timedOut: boolean; spawnError?: Error };

function runWithDeadline(
  executable: string,
  args: string[],
  timeoutMs: number,
  secretInput?: string,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    let spawnError: Error | undefined;
    const child = spawnMediaTool(executable, args, secretInput);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(stdout),
        stderr: stderr.trim(),
        timedOut,
        ...(spawnError ? { spawnError } : {}),
      });
    });
  });
}

/**
 * The source as it is opened: a file or image path with its links resolved, once it is known to be a file in
 * a media folder (parseCameraUrl checked it as written); other sources as they are.
 */
export function openableSource(
  source: CameraSource,
  mediaDirs: readonly string[],
): { ok: true; source: CameraSource } | { ok: false; error: string } {
  if (source.kind !== 'file' && source.kind !== 'image') return { ok: true, source };
  const file = openMediaFile(source.path, mediaDirs);
  return file.ok
    ? { ok: true, source: { ...source, path: file.path } }
    : { ok: false, error: `${COULD_NOT_OPEN}: ${file.reason}` };
}

export type ProbeOptions = {
  rtspTransport?: RtspTransport | undefined;
  /** Receives ffprobe's own words on a failure (they may name paths and addresses: for the log only). */
  log?: Logger | undefined;
};

/**
 * Opens `source` with ffprobe and reports its first video stream, or a safe reason why it could not. ffprobe's
 * own words go to the log only, without the source's credentials (ffprobe repeats the URL it was given).
 */
export async function probeSource(
  ffprobePath: string,
  source: CameraSource,
  timeoutMs: number,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  const started = performance.now();
  const result = await runWithDeadline(
    ffprobePath,
    buildProbeArgs(source, options.rtspTransport),
    timeoutMs,
    secretInputOf(source, options.rtspTransport),
  );
  const elapsedMs = Math.round(performance.now() - started);
  if (result.spawnError)
    return { ok: false, error: `cannot run ffprobe (${ffprobePath}): ${result.spawnError.message}`, elapsedMs };
  if (result.timedOut || result.code !== 0) {
    const detail = source.kind === 'network' ? redactorForUrl(source.url).redact(result.stderr) : result.stderr;
    options.log?.warn({ detail, timedOut: result.timedOut, code: result.code }, 'ffprobe failed');
    return { ok: false, error: openFailure(source, result.stderr, result.timedOut), elapsedMs };
  }
  try {
    const parsed = JSON.parse(result.stdout.toString('utf8')) as {
      streams?: Array<{ codec_name?: string; width?: number; height?: number }>;
    };
    const stream = parsed.streams?.[0];
    if (!stream || typeof stream.width !== 'number' || typeof stream.height !== 'number')
      return { ok: false, error: `${COULD_NOT_OPEN}: no video stream`, elapsedMs };
    return { ok: true, codec: stream.codec_name ?? 'unknown', width: stream.width, height: stream.height, elapsedMs };
  } catch {
    return { ok: false, error: `${COULD_NOT_OPEN}: ffprobe printed no JSON`, elapsedMs };
  }
}

/** Decodes a still image (PNG, JPEG, ...) to one RGB24 frame at its own size. */
export async function readImageRgb(
  file: string,
  options: { ffmpegPath?: string; ffprobePath?: string; timeoutMs?: number } = {},
): Promise<RgbFrame> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const ffprobe = options.ffprobePath ?? resolveTool('ffprobe', 'ffprobe');
  const probe = await probeSource(ffprobe, { kind: 'image', path: file }, timeoutMs);
  if (!probe.ok) throw new Error(`${file}: cannot read image: ${probe.error}`);
  const ffmpeg = options.ffmpegPath ?? resolveTool('ffmpeg', 'ffmpeg');
  const result = await runWithDeadline(ffmpeg, buildStillImageArgs(file), timeoutMs);
  const expected = probe.width * probe.height * 3;
  if (result.code !== 0 || result.stdout.length !== expected) {
    throw new Error(
      `${file}: cannot decode image: ` +
        `${result.spawnError?.message ?? (result.stderr || `got ${result.stdout.length} of ${expected} bytes`)}`,
    );
  }
  return { width: probe.width, height: probe.height, data: result.stdout, capturedAtMs: Date.now(), sequence: 0 };
}
