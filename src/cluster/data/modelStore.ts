/**
 * Model partitions travel over HTTP(S) from the head, content-addressed by sha256, never through the
 * broker: `ModelServer` serves `GET /models/<sha256>` to clients that present the cluster token, and
 * `ModelCache` fetches a partition once, checks its hash and keeps it in a cache folder on the worker's disk.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sha256Hex } from '../../config/index.ts';
import { advertisedHost, urlHost } from './listenAddress.ts';
import { describeConnectError } from './tlsErrors.ts';

export interface ModelServerOptions {
  /** Address to listen on (default 127.0.0.1; 0.0.0.0 for workers on other machines). */
  readonly host?: string;
  /** Name workers reach this server by (default: host, or this machine's name for a wildcard host). */
  readonly advertiseHost?: string;
  /** Cluster token: requests without `Authorization: Bearer <token>` are refused (none: anyone may fetch). */
  readonly token?: string;
  /** PEM files: serve over https://. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

export class ModelServer {
  private server: http.Server | https.Server | undefined;
  private readonly blobs = new Map<string, Uint8Array>();
  /** Requests served (tests check that partitions are cached). */
  served = 0;
  /** Requests refused for a missing or wrong token. */
  refused = 0;

  constructor(private readonly options: ModelServerOptions = {}) {}

  /** Registers a partition model and returns its address. */
  add(bytes: Uint8Array): { sha256: string; url: string; bytes: number } {
    const sha256 = sha256Hex(bytes);
    this.blobs.set(sha256, bytes);
    return { sha256, url: `${this.baseUrl}/models/${sha256}`, bytes: bytes.byteLength };
  }

  get baseUrl(): string {
    if (!this.server) throw new Error('the model server is not started');
    const { host = '127.0.0.1', advertiseHost, tls } = this.options;
    return `${tls ? 'https' : 'http'}://${urlHost(advertisedHost(host, advertiseHost))}:${(this.server.address() as AddressInfo).port}`;
  }

  async start(port = 0): Promise<void> {
    const { host = '127.0.0.1', token, tls } = this.options;
    const handler: http.RequestListener = (req, res) => {
      if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
        this.refused++;
        res.writeHead(401, { 'content-type': 'text/plain' }).end('cluster token required\n');
        return;
      }
      const match = /^\/models\/([0-9a-f]{64})$/.exec(req.url ?? '');
      const blob = match && req.method === 'GET' ? this.blobs.get(match[1]!) : undefined;
      if (!blob) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such model partition\n');
        return;
      }
      this.served++;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.byteLength }).end(blob);
    };
    const server = tls ? https.createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handler) : http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

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
        if (response.statusCode !== 200) reject(new Error(`${url}: HTTP ${response.statusCode}${response.statusCode === 401 ? ' (the model server wants the cluster token)' : ''}`));
        else resolve(new Uint8Array(Buffer.concat(chunks)));
      });
    });
    request.on('error', (error) => reject(new Error(`${url}: ${describeConnectError(error, "give the CA that signed the head's certificate (--link-ca)")}`)));
    request.setTimeout(60_000, () => request.destroy(new Error('no data for 60 s')));
  });
}
