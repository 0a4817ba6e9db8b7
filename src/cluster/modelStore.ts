/**
 * Model partitions travel over HTTP from the controller, content-addressed by sha256, never through the
 * broker: `ModelServer` serves `GET /models/<sha256>`, and `ModelCache` fetches a partition once, checks
 * its hash and keeps it in a cache folder on the worker's disk.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class ModelServer {
  private server: http.Server | undefined;
  private readonly blobs = new Map<string, Uint8Array>();
  /** Requests served (tests check that partitions are cached). */
  served = 0;

  constructor(private readonly host = '127.0.0.1') {}

  /** Registers a partition model and returns its address. */
  add(bytes: Uint8Array): { sha256: string; url: string; bytes: number } {
    const sha256 = sha256Hex(bytes);
    this.blobs.set(sha256, bytes);
    return { sha256, url: `${this.baseUrl}/models/${sha256}`, bytes: bytes.byteLength };
  }

  get baseUrl(): string {
    if (!this.server) throw new Error('the model server is not started');
    return `http://${this.host}:${(this.server.address() as AddressInfo).port}`;
  }

  async start(port = 0): Promise<void> {
    const server = http.createServer((req, res) => {
      const match = /^\/models\/([0-9a-f]{64})$/.exec(req.url ?? '');
      const blob = match && req.method === 'GET' ? this.blobs.get(match[1]!) : undefined;
      if (!blob) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such model partition\n');
        return;
      }
      this.served++;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.byteLength }).end(blob);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => resolve());
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

export class ModelCache {
  constructor(private readonly folder: string) {}

  /** The partition's bytes: from the cache when present and intact, else downloaded and verified. */
  async get(model: { sha256: string; url: string }): Promise<{ bytes: Uint8Array; cached: boolean }> {
    const file = path.join(this.folder, `${model.sha256}.onnx`);
    if (existsSync(file)) {
      const bytes = readFileSync(file);
      if (sha256Hex(bytes) === model.sha256) return { bytes, cached: true };
    }
    const response = await fetch(model.url);
    if (!response.ok) throw new Error(`${model.url}: HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const actual = sha256Hex(bytes);
    if (actual !== model.sha256) throw new Error(`${model.url}: expected sha256 ${model.sha256}, got ${actual}`);
    mkdirSync(this.folder, { recursive: true });
    const partial = `${file}.${process.pid}.part`;
    writeFileSync(partial, bytes);
    renameSync(partial, file);
    return { bytes, cached: false };
  }
}
