/**
 * The worker's side of model delivery: `ModelCache` fetches a partition once from the head's `ModelServer`
 * (modelServer.ts), checks its sha256 and keeps it in a cache folder on the worker's disk. It fetches from
 * the one origin it is given and from nowhere else, whatever URL a message names: the cluster token it
 * sends must not reach a server that a forged assignment points to.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { sha256Hex } from '../../config/index.ts';
import { describeConnectError } from './tlsErrors.ts';

export interface ModelFetchOptions {
  /** The head's model server, `http(s)://host:port`: the only origin models are fetched from. */
  readonly origin: string;
  /** Cluster token, sent as `Authorization: Bearer …`. */
  readonly token?: string;
  /** CA certificate (PEM file) of an https:// model server with a private certificate. */
  readonly caFile?: string;
}

/** The origin of an http(s) model server URL, or an error naming what was given and what was expected. */
export function modelServerOrigin(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`model server origin "${url}": expected an http:// or https:// URL such as http://head:8091`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(`model server origin "${url}": expected http:// or https://, got ${parsed.protocol}`);
  return parsed.origin;
}

export class ModelCache {
  private readonly origin: string;

  constructor(
    private readonly folder: string,
    private readonly fetchOptions: ModelFetchOptions,
  ) {
    this.origin = modelServerOrigin(fetchOptions.origin);
  }

  /**
   * The model's bytes and cached file: from the cache when present and intact, else downloaded and verified.
   * A URL off the model server's origin is refused before anything is read or sent.
   */
  async get(model: { sha256: string; url: string }): Promise<{ bytes: Uint8Array; file: string; cached: boolean }> {
    const origin = URL.canParse(model.url) ? new URL(model.url).origin : undefined;
    if (origin !== this.origin)
      throw new Error(
        `model URL ${model.url} is not on the model server ${this.origin} this worker was given (--model-origin): ` +
          'refused, the cluster token was not sent',
      );
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
