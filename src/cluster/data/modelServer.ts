/**
 * Model partitions travel over HTTP(S) from the head, content-addressed by sha256, never through the
 * broker: `ModelServer` serves `GET /models/<sha256>` to clients that present the cluster token (the
 * worker's `ModelCache`, modelCache.ts, fetches them).
 */
import { sha256Hex } from '../../config/index.ts';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { advertisedHost, urlHost } from './listenAddress.ts';

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
    const { port } = this.server.address() as AddressInfo;
    return `${tls ? 'https' : 'http'}://${urlHost(advertisedHost(host, advertiseHost))}:${port}`;
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
    const server = tls
      ? https.createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handler)
      : http.createServer(handler);
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
