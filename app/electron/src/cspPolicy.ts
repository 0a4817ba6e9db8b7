/**
 * The content security policy of the appliance's pages (src/server/accessGate.ts sends the same; a test
 * compares them on a running appliance). The app's session adds it to every response from the appliance, so
 * that no page is shown without it; a policy the appliance sent stays, and browsers enforce every policy given.
 */
export const APPLIANCE_CSP =
  "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Response headers as Electron's webRequest hands them over: names in any case, values as lists. */
export type ResponseHeaders = Record<string, string[]>;

/** The headers with this policy among their content-security-policy values (added once). */
export function withCsp(headers: ResponseHeaders, policy: string = APPLIANCE_CSP): ResponseHeaders {
  const name = Object.keys(headers).find((key) => key.toLowerCase() === 'content-security-policy');
  const present = name === undefined ? [] : (headers[name] ?? []);
  if (present.includes(policy)) return headers;
  return { ...headers, [name ?? 'Content-Security-Policy']: [...present, policy] };
}
