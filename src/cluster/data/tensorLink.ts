/**
 * Tensor links: direct binary WebSocket connections between workers and the frontend. A link server
 * accepts only clients that present the cluster token (Authorization: Bearer …), over ws:// or wss://.
 * Outgoing links reconnect with exponential backoff, respect the socket's bufferedAmount (backpressure),
 * and are paced by one NIC pacer per server so that an emulated cluster on loopback sees the plan's network.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../config/index.ts';
import { backoffDelayMs } from '../../config/index.ts';
import { WebSocket, WebSocketServer } from 'ws';
import type { FrameHeader } from './tensorFrame.ts';
import { decodeFrame } from './tensorFrame.ts';
import { advertisedHost, urlHost } from './listenAddress.ts';
import { describeConnectError, isCertificateError } from './tlsErrors.ts';

/** The link server refused this client's cluster token (HTTP 401): no retry can fix it. */
export class LinkTokenRejectedError extends Error {
  override name = 'LinkTokenRejectedError';
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/**
 * A server NIC's uplink as a FIFO at a fixed bandwidth (the simulator's delayer, reference §F.3): each
 * transfer ends at max(now, previous end) + bytes·8/bandwidth, and `take` resolves at that end.
 */
export class NicPacer {
  private busyUntilMs = 0;
  /** Bytes paced so far. */
  bytes = 0;

  constructor(readonly bandwidthGbps: number | null) {}

  transferUs(bytes: number): number {
    return this.bandwidthGbps === null ? 0 : (bytes * 8) / (this.bandwidthGbps * 1e3);
  }

  async take(bytes: number): Promise<void> {
    this.bytes += bytes;
    if (this.bandwidthGbps === null || bytes <= 0) return;
    const now = performance.now();
    this.busyUntilMs = Math.max(now, this.busyUntilMs) + this.transferUs(bytes) / 1000;
    await sleepMs(this.busyUntilMs - performance.now());
  }
}

export interface LinkServerOptions {
  token: string;
  /** Address to listen on (default 127.0.0.1; 0.0.0.0 for other machines). */
  host?: string;
  /** Name other nodes reach this server by (default: host, or this machine's name for a wildcard host). */
  advertiseHost?: string;
  port?: number;
  /** PEM files for wss://. */
  tls?: { certFile: string; keyFile: string };
}

export type FrameHandler = (header: FrameHeader, payload: Buffer) => void;

export class LinkServer {
  private server: http.Server | https.Server | undefined;
  private wss: WebSocketServer | undefined;
  rejectedConnections = 0;
  rejectedFrames = 0;

  constructor(
    private readonly options: LinkServerOptions,
    private readonly onFrame: FrameHandler,
    private readonly log: Logger,
  ) {}

  get url(): string {
    if (!this.server) throw new Error('the link server is not started');
    const scheme = this.options.tls ? 'wss' : 'ws';
    const host = urlHost(advertisedHost(this.options.host ?? '127.0.0.1', this.options.advertiseHost));
    return `${scheme}://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    const tls = this.options.tls;
    const server = tls
      ? https.createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) })
      : http.createServer();
    const wss = new WebSocketServer({
      server,
      maxPayload: 1 << 30,
      verifyClient: (info, done) => {
        if (info.req.headers.authorization === `Bearer ${this.options.token}`) return done(true);
        this.rejectedConnections++;
        this.log.warn(
          { remote: info.req.socket.remoteAddress },
          'tensor link rejected: missing or wrong cluster token',
        );
        done(false, 401, 'cluster token required');
      },
    });
    wss.on('connection', (socket) => {
      socket.on('message', (data, isBinary) => {
        if (!isBinary || !Buffer.isBuffer(data)) {
          this.rejectedFrames++;
          this.log.warn('tensor link: expected one binary frame per message');
          return;
        }
        const decoded = decodeFrame(data);
        if (!decoded.ok) {
          this.rejectedFrames++;
          this.log.warn({ reason: decoded.reason }, 'tensor link: rejected frame');
          return;
        }
        try {
          this.onFrame(decoded.header, decoded.payload);
        } catch (error) {
          this.log.error({ err: error }, 'tensor link: frame handler failed');
        }
      });
      socket.on('error', (error) => this.log.warn({ err: error }, 'tensor link socket error'));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.wss = wss;
  }

  async stop(): Promise<void> {
    const { server, wss } = this;
    this.server = undefined;
    this.wss = undefined;
    for (const client of wss?.clients ?? []) client.terminate();
    wss?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

export interface LinkOptions {
  token: string;
  /** CA for wss:// links to servers with a private certificate. */
  caFile?: string;
  /** Above this many buffered bytes, a send waits (backpressure). */
  highWaterBytes?: number;
  /** Frames queued while reconnecting; beyond it sends fail. */
  maxQueuedFrames?: number;
  /** A WebSocket ping goes out this often on an open link (default 250 ms; 0: no pings, no stall detection). */
  pingIntervalMs?: number;
  /** A link whose peer sent nothing (pong or frame) for this long is stalled (default 1500 ms). */
  stallAfterMs?: number;
  /** Called when a link becomes stalled (`stalled: true`) and when its peer answers again (`false`). */
  onHealth?: (url: string, stalled: boolean, silentMs: number) => void;
}

/** One outgoing link to a URL, with reconnection (exponential backoff, capped) and backpressure. */
export class OutgoingLink {
  private socket: WebSocket | undefined;
  private connecting: Promise<WebSocket> | undefined;
  /** Failed connection attempts in a row (reset on success): they set the next backoff. */
  private failures = 0;
  private stopped = false;
  private pinger: NodeJS.Timeout | undefined;
  /** performance.now() of the last pong or frame from the peer (or of the connection). */
  private lastHeardMs = 0;
  private stalledFlag = false;
  bytesSent = 0;
  framesSent = 0;
  reconnects = 0;
  /** Times the link was marked stalled. */
  stalls = 0;

  constructor(
    readonly url: string,
    private readonly options: LinkOptions,
    private readonly log: Logger,
  ) {}

  private connectOnce(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url, {
        headers: { authorization: `Bearer ${this.options.token}` },
        ...(this.options.caFile ? { ca: readFileSync(this.options.caFile) } : {}),
        maxPayload: 1 << 30,
      });
      const fail = (error: Error): void => {
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
        reject(error);
      };
      socket.once('open', () => {
        socket.off('error', fail);
        socket.on('error', (error) => this.log.warn({ url: this.url, err: error }, 'tensor link error'));
        socket.on('close', () => {
          if (this.socket === socket) {
            this.socket = undefined;
            clearInterval(this.pinger);
            this.pinger = undefined;
          }
        });
        resolve(socket);
      });
      socket.once('unexpected-response', (_req, res) => {
        if (res.statusCode === 401) fail(new LinkTokenRejectedError(`${this.url}: HTTP 401 (cluster token rejected)`));
        else fail(new Error(`${this.url}: HTTP ${res.statusCode ?? '?'} (upgrade refused)`));
      });
      socket.once('error', fail);
    });
  }

  /** Connects, retrying with backoff until `deadlineMs` (performance.now() ms). */
  async connect(deadlineMs = performance.now() + 10_000): Promise<WebSocket> {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) return this.socket;
    this.connecting ??= (async () => {
      let attempt = 0;
      for (;;) {
        if (this.stopped) throw new Error(`${this.url}: link closed`);
        try {
          const socket = await this.connectOnce();
          if (attempt > 0) this.reconnects++;
          this.failures = 0;
          this.socket = socket;
          this.watch(socket);
          return socket;
        } catch (error) {
          attempt++;
          // An untrusted certificate or a refused token stays so: fail now rather than retry until the deadline.
          if (isCertificateError(error))
            throw new Error(
              `${this.url}: ` +
                describeConnectError(
                  error,
                  "give the CA that signed the link server's certificate (caFile, --link-ca)",
                ),
              { cause: error },
            );
          const delayMs = backoffDelayMs(this.failures + 1, 50, 2000);
          if (error instanceof LinkTokenRejectedError || performance.now() + delayMs > deadlineMs) throw error;
          this.failures++;
          await sleepMs(delayMs);
        }
      }
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** True while the peer has not answered pings for `stallAfterMs` (the TCP connection may still be open). */
  get stalled(): boolean {
    return this.stalledFlag;
  }

  /** Pings the peer of a fresh socket; any pong or frame from it counts as an answer. */
  private watch(socket: WebSocket): void {
    clearInterval(this.pinger);
    this.pinger = undefined;
    this.heard();
    const everyMs = this.options.pingIntervalMs ?? 250;
    if (everyMs <= 0) return;
    const stallAfterMs = this.options.stallAfterMs ?? 1500;
    socket.on('pong', () => this.heard());
    socket.on('message', () => this.heard());
    this.pinger = setInterval(() => {
      if (this.socket !== socket || socket.readyState !== WebSocket.OPEN) return;
      const silentMs = performance.now() - this.lastHeardMs;
      if (!this.stalledFlag && silentMs > stallAfterMs) {
        this.stalledFlag = true;
        this.stalls++;
        this.log.warn({ url: this.url, silentMs: Math.round(silentMs) }, 'tensor link stalled: no pong');
        this.options.onHealth?.(this.url, true, silentMs);
      }
      socket.ping();
    }, everyMs);
    this.pinger.unref();
  }

  private heard(): void {
    const silentMs = performance.now() - this.lastHeardMs;
    this.lastHeardMs = performance.now();
    if (!this.stalledFlag) return;
    this.stalledFlag = false;
    this.log.info({ url: this.url, silentMs: Math.round(silentMs) }, 'tensor link answers again');
    this.options.onHealth?.(this.url, false, silentMs);
  }

  /** Sends one frame; resolves when it is handed to the socket, after waiting out backpressure. */
  async send(frame: Buffer): Promise<void> {
    const socket = await this.connect();
    const highWater = this.options.highWaterBytes ?? 8 * 1024 * 1024;
    while (socket.bufferedAmount > highWater) {
      if (socket.readyState !== WebSocket.OPEN) throw new Error(`${this.url}: link closed while draining`);
      await sleepMs(1);
    }
    await new Promise<void>((resolve, reject) =>
      socket.send(frame, { binary: true }, (error) => (error ? reject(error) : resolve())),
    );
    this.bytesSent += frame.length;
    this.framesSent++;
  }

  close(): void {
    this.stopped = true;
    clearInterval(this.pinger);
    this.pinger = undefined;
    this.socket?.close();
    this.socket = undefined;
  }
}

/** Outgoing links by URL, sharing one NIC pacer (one per server process). */
export class LinkPool {
  private readonly links = new Map<string, OutgoingLink>();

  constructor(
    private readonly options: LinkOptions,
    readonly pacer: NicPacer,
    private readonly log: Logger,
  ) {}

  link(url: string): OutgoingLink {
    let link = this.links.get(url);
    if (!link) {
      link = new OutgoingLink(url, this.options, this.log);
      this.links.set(url, link);
    }
    return link;
  }

  /** Paces the declared bytes on the NIC, then sends. */
  async send(url: string, frame: Buffer, declaredBytes: number): Promise<void> {
    await this.pacer.take(declaredBytes);
    await this.link(url).send(frame);
  }

  /** URLs of the links whose peers stopped answering pings. */
  stalledUrls(): string[] {
    return [...this.links.values()].filter((link) => link.stalled).map((link) => link.url);
  }

  /** Per-link counters (frames sent, stalls) and health. */
  linkStats(): Array<{ url: string; framesSent: number; stalls: number; stalled: boolean }> {
    return [...this.links.values()].map((link) => ({
      url: link.url,
      framesSent: link.framesSent,
      stalls: link.stalls,
      stalled: link.stalled,
    }));
  }

  drop(url: string): void {
    this.links.get(url)?.close();
    this.links.delete(url);
  }

  stats(): { bytesSent: number; framesSent: number; reconnects: number } {
    let bytesSent = 0;
    let framesSent = 0;
    let reconnects = 0;
    for (const link of this.links.values()) {
      bytesSent += link.bytesSent;
      framesSent += link.framesSent;
      reconnects += link.reconnects;
    }
    return { bytesSent, framesSent, reconnects };
  }

  close(): void {
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }
}
