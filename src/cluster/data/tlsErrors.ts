/**
 * Turns the failures of a connection over the WAN (TLS certificate checks, refused credentials) into
 * errors that say what was expected, and tells them apart from transient ones that are worth a retry.
 */

/** OpenSSL verification codes (Node's `error.code`) that no retry can fix: the peer's certificate is not trusted. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function isCertificateError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && CERTIFICATE_CODES.has(code);
}

/** "TLS certificate not trusted (CODE: message); <hint>" for certificate errors, else the error's message. */
export function describeConnectError(error: unknown, caHint: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (isCertificateError(error))
    return `TLS certificate not trusted (${(error as { code: string }).code}: ${message}); ${caHint}`;
  return message;
}
