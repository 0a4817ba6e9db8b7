/**
 * Where a server of this node listens and the name other nodes reach it by. A server bound to a wildcard
 * address (0.0.0.0, ::) accepts remote nodes, but its URL must name this machine, not the wildcard: the
 * advertised host, else the machine's host name.
 */
import os from 'node:os';

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

export function advertisedHost(listenHost: string, advertiseHost?: string): string {
  if (advertiseHost !== undefined) return advertiseHost;
  return WILDCARDS.has(listenHost) ? os.hostname() : listenHost;
}

/** Host part of a URL: IPv6 literals go in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
