/**
 * Checks every request meets before routing, against a web page in a browser that can reach the server:
 * - `Host` must name this server (loopback names, the address it listens on, `server.allowedHosts`), else a
 *   page on a rebound DNS name could read the API as its own origin (421);
 * - state-changing requests and WebSocket upgrades that carry an `Origin` must come from the origin they are
 *   sent to (browsers send `Origin` on every cross-origin POST/PUT/PATCH/DELETE and on every WebSocket), else
 *   another site's page is acting (403);
 * - bodies must declare the media type the route reads (`application/json`), since a page may POST
 *   `text/plain` to any origin without asking (415).
 */
import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';
import { isLoopbackHost } from '../config/index.ts';
import { ApiError } from './cameraService.ts';

export const STATE_CHANGING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '']);

/** A host name as compared: lower case, IPv6 without brackets, no trailing dot. */
export function canonicalHostName(name: string): string {
  return name
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** The host name of a `Host` header (`name`, `name:port`, `[v6]`, `[v6]:port`); undefined when malformed. */
export function hostNameOf(hostHeader: string): string | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(hostHeader.trim());
  return match ? canonicalHostName(match[1]!) : undefined;
}

/**
 * The host names this server answers to: loopback names, `configured`, and the address it listens on when that
 * is not loopback (for a wildcard address, this machine's interface addresses at start).
 */
export function allowedHostNames(
  listenHost: string,
  configured: ReadonlyArray<string>,
  interfaceAddresses: () => string[] = localInterfaceAddresses,
): Set<string> {
  const names = [...LOOPBACK_NAMES, ...configured];
  if (WILDCARD_ADDRESSES.has(listenHost)) names.push(...interfaceAddresses());
  else if (!isLoopbackHost(listenHost)) names.push(listenHost);
  return new Set(names.map(canonicalHostName));
}

function localInterfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((a) => a.address));
}

/** The media type of a request's body (`application/json` of `application/json; charset=utf-8`), or ''. */
export function mediaTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Refuses a body of another media type than `accepted` (415) before reading it. */
export function requireMediaType(req: IncomingMessage, accepted: ReadonlyArray<string>): string {
  const mediaType = mediaTypeOf(req);
  if (!accepted.includes(mediaType))
    throw new ApiError(415, `content-type: expected ${accepted.join(' or ')}, got ${mediaType || 'none'}`);
  return mediaType;
}

/** A request body as text, refused (413) beyond `maxBytes`. */
export async function readBodyText(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new ApiError(413, `body: larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class RequestGuard {
  private readonly allowedHosts: ReadonlySet<string>;

  constructor(allowedHosts: ReadonlySet<string>) {
    this.allowedHosts = allowedHosts;
  }

  /** 421 unless the `Host` header names this server. */
  checkHost(req: IncomingMessage): void {
    const header = req.headers.host;
    const name = header === undefined ? undefined : hostNameOf(header);
    if (name === undefined || !this.allowedHosts.has(name))
      throw new ApiError(
        421,
        `Host ${JSON.stringify(header ?? '')} is not a name of this server; names a browser may use are ` +
          `localhost, 127.0.0.1, [::1] and those in server.allowedHosts`,
      );
  }

  /**
   * 403 unless the request's `Origin` is the origin it is addressed to (`http(s)://` + its `Host`). A request
   * without `Origin` does not come from a browser page (they always send one on these requests) and passes when
   * `allowWithoutOrigin` (the caller's decision: refused when it carries a browser's session cookie).
   */
  checkOrigin(req: IncomingMessage, allowWithoutOrigin: boolean): void {
    const origin = req.headers.origin;
    if (origin === undefined) {
      if (allowWithoutOrigin) return;
      throw new ApiError(403, 'Origin: a request with a session cookie must carry the Origin header of this server');
    }
    if (!isSameOrigin(origin, req.headers.host ?? ''))
      throw new ApiError(
        403,
        `Origin ${JSON.stringify(origin)} is not this server's (${req.headers.host ?? 'no Host'}): cross-site ` +
          'requests are refused',
      );
  }
}

/** True when `origin` (as a browser serialises it) is http(s):// plus exactly `hostHeader` (same port). */
export function isSameOrigin(origin: string, hostHeader: string): boolean {
  let parsed: URL;
  let addressed: URL;
  try {
    parsed = new URL(origin);
    // The scheme the browser used is the origin's; a Host without a port means that scheme's default port.
    addressed = new URL(`${parsed.protocol}//${hostHeader}`);
  } catch {
    return false;
  }
  return (
    (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
    parsed.origin === origin.toLowerCase().replace(/\/$/, '') &&
    hostNameOf(hostHeader) !== undefined &&
    parsed.host === addressed.host
  );
}
