import { createHash } from 'node:crypto';

/** The sha256 of some bytes as 64 lowercase hex digits (content addresses of model files, split manifests). */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
