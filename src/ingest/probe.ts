/**
 * Running ffprobe and one-shot ffmpeg decodes with a deadline: connection tests of cameras and reading still
 * images. Every failure becomes a result or an Error naming the URL or file, never an unhandled event.
 */
import { buildProbeArgs, buildStillImageArgs, redactUrl, secretInputOf } from './cameraSource.ts';
import type { CameraSource } from './cameraSource.ts';
import type { RgbFrame } from './frameAssembler.ts';
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

function describeSource(source: CameraSource): string {
  switch (source.kind) {
    case 'network':
      return redactUrl(source.url);
    case 'file':
    case 'image':
      return source.path;
    case 'v4l2':
      return source.device;
    case 'lavfi':
      return `lavfi:${source.filter}`;
  }
}

/**
 * Opens `source` with ffprobe and reports its first video stream, or why it could not: without the source's
 * credentials, which ffprobe repeats in its messages.
 */
export async function probeSource(ffprobePath: string, source: CameraSource, timeoutMs: number): Promise<ProbeResult> {
  const result = await probeUnredacted(ffprobePath, source, timeoutMs);
  if (result.ok || source.kind !== 'network') return result;
  return { ...result, error: redactorForUrl(source.url).redact(result.error) };
}

async function probeUnredacted(ffprobePath: string, source: CameraSource, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  const result = await runWithDeadline(ffprobePath, buildProbeArgs(source), timeoutMs, secretInputOf(source));
  const elapsedMs = Math.round(performance.now() - started);
  const where = describeSource(source);
  if (result.spawnError)
    return { ok: false, error: `cannot run ffprobe (${ffprobePath}): ${result.spawnError.message}`, elapsedMs };
  if (result.timedOut) return { ok: false, error: `${where}: no answer within ${timeoutMs} ms`, elapsedMs };
  if (result.code !== 0)
    return {
      ok: false,
      error: `${where}: ${result.stderr.split('\n').pop() || `ffprobe exited with code ${result.code}`}`,
      elapsedMs,
    };
  try {
    const parsed = JSON.parse(result.stdout.toString('utf8')) as {
      streams?: Array<{ codec_name?: string; width?: number; height?: number }>;
    };
    const stream = parsed.streams?.[0];
    if (!stream || typeof stream.width !== 'number' || typeof stream.height !== 'number')
      return { ok: false, error: `${where}: no video stream`, elapsedMs };
    return { ok: true, codec: stream.codec_name ?? 'unknown', width: stream.width, height: stream.height, elapsedMs };
  } catch {
    return { ok: false, error: `${where}: ffprobe printed no JSON`, elapsedMs };
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
