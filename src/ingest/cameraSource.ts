/**
 * Camera URLs → sources → ffmpeg/ffprobe argument arrays. Each scheme has a parser that admits only what that
 * kind of source needs (an allow-list: network URLs with host, port, path, query and credentials; named lavfi
 * test sources; files inside the media folders; V4L2 devices). Pure functions, tested without ffmpeg: nothing
 * here spawns a process or touches the disk, and nothing is ever passed through a shell.
 */
import { CAMERA_SCHEMES, forbiddenUrlCharacter, maskUrlCredentials } from '../config/index.ts';
import type { RtspTransport } from '../config/index.ts';
import { lavfiFilter, parseLavfiSource } from './lavfiSource.ts';
import type { LavfiSource } from './lavfiSource.ts';
import { mediaPathOf, OUTSIDE_MEDIA_FOLDER } from './mediaFolder.ts';
import type { SourceContext } from './mediaFolder.ts';
import { networkInputArgs, secretInputScript } from './secretInput.ts';

export type NetworkProtocol = 'rtsp' | 'rtsps' | 'http' | 'https';

export type CameraSource =
  | {
      kind: 'network';
      protocol: NetworkProtocol;
      url: string;
      /** Host name or address as ffmpeg connects to it (IPv6 without brackets), and the port. */
      host: string;
      port: number;
      /** The host is this machine: failures then read alike, so nothing tells its open ports from closed ones. */
      loopback: boolean;
    }
  | { kind: 'file'; path: string }
  | { kind: 'v4l2'; device: string }
  | LavfiSource
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

const DEFAULT_PORTS: Record<NetworkProtocol, number> = { rtsp: 554, rtsps: 322, http: 80, https: 443 };

/** A DNS name (some label not all digits), a dotted quad, or a bracketed IPv6 address; nothing else. */
function hostProblem(hostname: string): string | undefined {
  if (hostname === '') return 'has no host';
  if (/^\[[0-9a-f:.]+\]$/i.test(hostname)) return undefined;
  const labels = hostname.split('.');
  if (labels.every((label) => /^\d+$/.test(label))) {
    const quad = labels.length === 4 && labels.every((label) => Number(label) <= 255 && !/^0\d/.test(label));
    return quad ? undefined : 'has a numeric host that is not a dotted IPv4 address (a.b.c.d)';
  }
  const name = labels.every((label) => /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(label));
  return name ? undefined : 'has a host that is not a DNS name or an IP address';
}

function isLoopback(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true;
  if (/^(127|0)\.\d+\.\d+\.\d+$/.test(lower)) return true;
  // IPv6: ::1, the unspecified address and every IPv4-mapped address (which may map a loopback one)
  return lower === '::1' || lower === '::' || lower.startsWith('::ffff:') || /^[0:]+1?$/.test(lower);
}

function parseNetworkUrl(url: string, protocol: NetworkProtocol): CameraSource {
  const odd = /[^\x21-\x7e]/.exec(url);
  if (odd) throw new CameraUrlError(url, `contains the character ${JSON.stringify(odd[0])}; expected printable ASCII`);
  if (!url.slice(protocol.length + 1).startsWith('//'))
    throw new CameraUrlError(url, `expected ${protocol}://[USER:PASSWORD@]HOST[:PORT]/PATH`);
  if (url.includes('#')) throw new CameraUrlError(url, 'has a fragment (#…); camera URLs may not');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CameraUrlError(url, 'is not a valid URL');
  }
  const problem = hostProblem(parsed.hostname);
  if (problem !== undefined) throw new CameraUrlError(url, problem);
  // ffmpeg reads the host as written: a form the URL parser rewrites (0x7f.1, %31…) would name another one
  const authority = url.slice(protocol.length + 3).split(/[/?]/, 1)[0]!;
  const written = authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '');
  if (written.toLowerCase() !== parsed.hostname.toLowerCase())
    throw new CameraUrlError(url, `has the host "${written}"; expected it in its plain form ("${parsed.hostname}")`);
  if (parsed.port === '0') throw new CameraUrlError(url, 'has port 0; expected 1-65535');
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? DEFAULT_PORTS[protocol] : Number(parsed.port);
  return { kind: 'network', protocol, url, host, port, loopback: isLoopback(host) };
}

const V4L2_DEVICE = /^\/dev\/(video\d{1,3}|v4l\/by-(id|path)\/[A-Za-z0-9._:-]+)$/;

/**
 * Parses a camera URL. Relative file and image paths are resolved against `context.baseDir` and must lie in
 * one of `context.mediaDirs` (as written; links are checked when the file is opened). Throws CameraUrlError.
 */
export function parseCameraUrl(url: string, context: SourceContext): CameraSource {
  const bad = forbiddenUrlCharacter(url);
  if (bad !== undefined)
    throw new CameraUrlError(
      url,
      `contains the shell metacharacter, space or control character ${JSON.stringify(bad)}; camera URLs may not`,
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
  const mediaPath = (): string => {
    const written = rest.startsWith('//') ? rest.slice(2) : rest;
    if (written.length === 0) throw new CameraUrlError(url, 'expected a path after the scheme');
    const file = mediaPathOf(written, context);
    if (file === undefined) throw new CameraUrlError(url, OUTSIDE_MEDIA_FOLDER);
    return file;
  };
  switch (scheme) {
    case 'rtsp':
    case 'rtsps':
    case 'http':
    case 'https':
      return parseNetworkUrl(url, scheme);
    case 'file':
      return { kind: 'file', path: mediaPath() };
    case 'image':
      return { kind: 'image', path: mediaPath() };
    case 'v4l2':
      if (!V4L2_DEVICE.test(rest))
        throw new CameraUrlError(url, 'expected v4l2:/dev/videoN or v4l2:/dev/v4l/by-id/NAME');
      return { kind: 'v4l2', device: rest };
    case 'lavfi': {
      const source = parseLavfiSource(rest);
      if ('problem' in source) throw new CameraUrlError(url, source.problem);
      return source;
    }
    default:
      throw new CameraUrlError(url, `unsupported scheme "${scheme}"`);
  }
}

export type InputOptions = {
  /** Frames per second of looped still images. */
  fps: number;
  /** For ffprobe: no real-time pacing, no looping. */
  forProbe?: boolean;
  /** RTSP's lower transport; auto leaves ffmpeg's own choice (UDP, then TCP). */
  rtspTransport?: RtspTransport | undefined;
};

/** Input options and the input itself, shared by ffmpeg and ffprobe. */
export function buildInputArgs(source: CameraSource, options: InputOptions): string[] {
  const { fps, forProbe = false, rtspTransport = 'auto' } = options;
  switch (source.kind) {
    case 'network':
      return networkInputArgs(source.url, networkInputOptions(source, rtspTransport));
    case 'file':
      // only local files: a playlist or script in the media folder cannot reach the network
      return forProbe
        ? ['-protocol_whitelist', 'file', '-i', source.path]
        : ['-protocol_whitelist', 'file', '-re', '-stream_loop', '-1', '-i', source.path];
    case 'v4l2':
      return ['-f', 'v4l2', '-i', source.device];
    case 'lavfi': {
      const filter = lavfiFilter(source);
      return forProbe ? ['-f', 'lavfi', '-i', filter] : ['-re', '-f', 'lavfi', '-i', filter];
    }
    case 'image':
      return forProbe
        ? ['-protocol_whitelist', 'file', '-i', source.path]
        : ['-protocol_whitelist', 'file', '-re', '-loop', '1', '-framerate', String(fps), '-i', source.path];
  }
}

/**
 * Options ffmpeg opens a network source with (with credentials they travel in the concat script). RTSP's
 * lower transport: auto leaves ffmpeg's own choice (UDP, then TCP).
 */
function networkInputOptions(
  source: Extract<CameraSource, { kind: 'network' }>,
  rtspTransport: RtspTransport,
): Record<string, string> {
  return source.protocol.startsWith('rtsp') && rtspTransport !== 'auto' ? { rtsp_transport: rtspTransport } : {};
}

/** What ffmpeg reads on fd 3 for `source` (a network URL with credentials), else undefined. */
export function secretInputOf(source: CameraSource, rtspTransport: RtspTransport = 'auto'): string | undefined {
  return source.kind === 'network'
    ? secretInputScript(source.url, networkInputOptions(source, rtspTransport))
    : undefined;
}

export type DecodeOptions = {
  fps: number;
  width: number;
  height: number;
  threads?: number;
  rtspTransport?: RtspTransport | undefined;
};

/** ffmpeg arguments that decode `source` to raw RGB24 frames of width×height at `fps` on stdout. */
export function buildDecodeArgs(source: CameraSource, options: DecodeOptions): string[] {
  const threads = options.threads === undefined ? [] : ['-threads', String(options.threads)];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    ...threads,
    ...buildInputArgs(source, { fps: options.fps, rtspTransport: options.rtspTransport }),
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
export function buildProbeArgs(source: CameraSource, rtspTransport: RtspTransport = 'auto'): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-print_format',
    'json',
    '-show_streams',
    '-select_streams',
    'v:0',
    ...buildInputArgs(source, { fps: 1, forProbe: true, rtspTransport }),
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
