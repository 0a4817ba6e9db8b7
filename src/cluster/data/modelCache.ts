/**
 * The worker's side of model delivery: `ModelCache` fetches a partition once from the head's `ModelServer`
 * (modelServer.ts), checks its sha256 and keeps it in a cache folder on the worker's disk.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { sha256Hex } from '../../config/index.ts';
import { describeConnectError } from './tlsErrors.ts';

export interface ModelFetchOptions {
  /** Cluster token, sent as `Authorization: Bearer …`. */
  readonly token?: string;
  /** CA certificate (PEM file) of an https:// model server with a private certificate. */
  readonly caFile?: string;
}

export class ModelCache {
  constructor(
    private readonly folder: string,
    private readonly fetchOptions: ModelFetchOptions = {},
  ) {}

  /** The model's bytes and cached file: from the cache when present and intact, else downloaded and verified. */
  async get(model: { sha256: string; url: string }): Promise<{ bytes: Uint8Array; file: string; cached: boolean }> {
    const file = path.join(this.folder, `${model.sha256}.onnx`);
    if (existsSync(file)) {
      const bytes = readFileSync(file);
      if (sha256Hex(bytes) === model.sha256) return { bytes, file, cached: true };
    }
    const bytes = await download(model.url, this.fetchOptions);
    const actual = sha256Hex(bytes);
    if (actual !== model.sha256) throw new Error(`${model.url}: expected sha256 ${model.sha256}, got ${actual}`);
    mkdirSync(this.folder, { recursive: true });
    const partial = `${file}.${process.pid}.part`;
    writeFileSync(partial, bytes);
    renameSync(partial, file);
    return { bytes, file, cached: false };
  }
}

/** GET with the token and, for https://, the given CA (global fetch takes no CA). */
function download(url: string, options: ModelFetchOptions): Promise<Uint8Array> {
  const secure = url.startsWith('https:');
  const requestOptions: https.RequestOptions = {
    headers: options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {},
    ...(secure && options.caFile !== undefined ? { ca: readFileSync(options.caFile) } : {}),
  };
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).get(url, requestOptions, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        if (response.statusCode !== 200)
          reject(
            new Error(
              `${url}: HTTP ` +
                `${response.statusCode}` +
                (response.statusCode === 401 ? ' (the model server wants the cluster token)' : ''),
            ),
          );
        else resolve(new Uint8Array(Buffer.concat(chunks)));
      });
    });
    request.on('error', (error) =>
      reject(
        new Error(
          `${url}: ${describeConnectError(error, "give the CA that signed the head's certificate (--link-ca)")}`,
        ),
      ),
    );
    request.setTimeout(60_000, () => request.destroy(new Error('no data for 60 s')));
  });
}
