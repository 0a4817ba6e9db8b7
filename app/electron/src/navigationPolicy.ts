/**
 * Where the desktop app's windows may go: the appliance's own origin stays in the window, other web pages open
 * in the system browser, everything else (file:, javascript:, custom schemes) is refused. Requests the pages
 * make are limited to the appliance too: no remote content ever loads inside the app.
 */

/** What to do with a navigation or a new window. */
export type NavigationVerdict = 'allow' | 'open-externally' | 'deny';

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** `applianceOrigin` is the origin of the appliance's `listening on` URL, e.g. http://127.0.0.1:41234. */
export function navigationVerdict(url: string, applianceOrigin: string): NavigationVerdict {
  const target = parse(url);
  if (target === undefined) return 'deny';
  if (target.origin === applianceOrigin) return 'allow';
  if (target.protocol === 'https:' || target.protocol === 'http:') return 'open-externally';
  return 'deny';
}

/**
 * Whether a page may load this URL: the appliance's origin over HTTP, its WebSocket (/api/live) on the same
 * host and port, and data: URLs (images the CSP allows; the start-error page). DevTools' own pages when shown.
 */
export function requestAllowed(url: string, applianceOrigin: string | undefined): boolean {
  const target = parse(url);
  if (target === undefined) return false;
  if (target.protocol === 'data:' || target.protocol === 'devtools:') return true;
  if (applianceOrigin === undefined) return false;
  const appliance = new URL(applianceOrigin);
  if (target.protocol === 'http:' || target.protocol === 'ws:') return target.host === appliance.host;
  return false;
}
