/**
 * Camera URLs → sources → ffmpeg/ffprobe argument arrays. Pure functions, tested without ffmpeg: nothing here
 * spawns a process, and nothing is ever passed through a shell.
 */
import path from 'node:path';
import { CAMERA_SCHEMES, maskUrlCredentials, SHELL_METACHARACTERS } from '../config/index.ts';
import { networkInputArgs, secretInputScript } from './secretInput.ts';

export type CameraSource =
  | { kind: 'network'; protocol: 'rtsp' | 'rtsps' | 'http' | 'https'; url: string }
  | { kind: 'file'; path: string }
  | { kind: 'v4l2'; device: string }
  | { kind: 'lavfi'; filter: string }
  | { kind: 'image'; path: string };

export class CameraUrlError extends Error {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`camera URL ${JSON.stringify(redactUrl(url))}: ${reason}`);
    this.name = 'CameraUrlError';
  }
}

/** Hides the credentials of a URL (for logs and API answers): the config room's one URL redaction. */
export function redactUrl(url: string): string {
  return maskUrlCredentials(url);
}

/** Parses a camera URL; relative file and image paths are resolved against `baseDir`. */
export function parseCameraUrl(url: string, baseDir: string = process.cwd()): CameraSource {
  const bad = SHELL_METACHARACTERS.exec(url);
  if (bad)
    throw new CameraUrlError(
      url,
      `contains the shell metacharacter or space ${JSON.stringify(bad[0])}; camera URLs may not`,
    );
  const match = /^([a-z0-9+.-]+):(.*)$/i.exec(url);
  const scheme = match?.[1]?.toLowerCase();
  const rest = match?.[2] ?? '';
  if (scheme === undefined || !(CAMERA_SCHEMES as readonly string[]).includes(scheme)) {
    throw new CameraUrlError(
      url,
      `unknown scheme "${scheme ?? ''}"; expected one of ${CAMERA_SCHEMES.map((s) => `${s}:`).join(', ')}`,
    );
  }
  const localPath = (): string => {
    const p = rest.startsWith('//') ? rest.slice(2) : rest;
    if (p.length === 0) throw new CameraUrlError(url, 'expected a path after the scheme');
    return path.resolve(baseDir, p);
  };
  switch (scheme) {
    case 'rtsp':
    case 'rtsps':
    case 'http':
    case 'https': {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new CameraUrlError(url, 'is not a valid URL');
      }
      if (parsed.hostname === '') throw new CameraUrlError(url, 'has no host');
      return { kind: 'network', protocol: scheme, url };
    }
    case 'file':
      return { kind: 'file', path: localPath() };
    case 'image':
      return { kind: 'image', path: localPath() };
    case 'v4l2':
      if (!/^\/dev\/[A-Za-z0-9_./-]+$/.test(rest)) throw new CameraUrlError(url, 'expected v4l2:/dev/videoN');
      return { kind: 'v4l2', device: rest };
    case 'lavfi':
      if (rest.length === 0)
        throw new CameraUrlError(url, 'expected an ffmpeg source filter, e.g. lavfi:testsrc2=size=640x360:rate=10');
      return { kind: 'lavfi', filter: rest };
    default:
      throw new CameraUrlError(url, `unsupported scheme "${scheme}"`);
  }
}

export type DecodeOptions = { fps: number; width: number; height: number; threads?: number };

/** Input options and the input itself, shared by ffmpeg and ffprobe. */
export function buildInputArgs(source: CameraSource, fps: number, forProbe = false): string[] {
  switch (source.kind) {
    case 'network':
      return networkInputArgs(source.url, networkInputOptions(source));
    case 'file':
      return forProbe ? ['-i', source.path] : ['-re', '-stream_loop', '-1', '-i', source.path];
    case 'v4l2':
      return ['-f', 'v4l2', '-i', source.device];
    case 'lavfi':
      return forProbe ? ['-f', 'lavfi', '-i', source.filter] : ['-re', '-f', 'lavfi', '-i', source.filter];
    case 'image':
      return forProbe ? ['-i', source.path] : ['-re', '-loop', '1', '-framerate', String(fps), '-i', source.path];
  }
}

/** Options ffmpeg opens a network source with; with credentials they travel in the concat script. */
function networkInputOptions(source: Extract<CameraSource, { kind: 'network' }>): Record<string, string> {
  return source.protocol.startsWith('rtsp') ? { rtsp_transport: 'tcp' } : {};
}

/** What ffmpeg reads on fd 3 for `source` (a network URL with credentials), else undefined. */
export function secretInputOf(source: CameraSource): string | undefined {
  return source.kind === 'network' ? secretInputScript(source.url, networkInputOptions(source)) : undefined;
}

/** ffmpeg arguments that decode `source` to raw RGB24 frames of width×height at `fps` on stdout. */
export function buildDecodeArgs(source: CameraSource, options: DecodeOptions): string[] {
  const threads = options.threads === undefined ? [] : ['-threads', String(options.threads)];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    ...threads,
    ...buildInputArgs(source, options.fps),
    '-an',
    '-sn',
    '-dn',
    '-vf',
    `fps=${options.fps},scale=${options.width}:${options.height}`,
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    'pipe:1',
  ];
}

/** ffprobe arguments that describe the first video stream of `source` as JSON. */
export function buildProbeArgs(source: CameraSource): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-print_format',
    'json',
    '-show_streams',
    '-select_streams',
    'v:0',
    ...buildInputArgs(source, 1, true),
  ];
}

/** ffmpeg arguments that decode one still image to raw RGB24 on stdout. */
export function buildStillImageArgs(file: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-i',
    file,
    '-frames:v',
    '1',
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    'pipe:1',
  ];
}
