/**
 * The WebSocket live feed at /api/live: a new client gets a snapshot first (cameras and recent detections),
 * then events (detections, camera status, nodes, plans). Frames go only to clients that subscribed
 * (`LiveSubscribe`): each camera's latest frame for the grid, one camera full size, each at its own capped
 * rate, and a frame is encoded only when some client is due one. Slow clients skip messages rather than
 * buffer without bound.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { LiveMessage } from './api.ts';
import { LiveSubscription, parseLiveClientMessage } from './liveSubscription.ts';
import type { FrameKind } from './liveSubscription.ts';

const MAX_BUFFERED_BYTES = 1 << 20;

export class LiveFeed {
  private wss: WebSocketServer | undefined;
  private readonly subscriptions = new Map<WebSocket, LiveSubscription>();
  private skipped = 0;

  constructor(private readonly snapshot: () => LiveMessage) {}

  get clients(): number {
    return this.wss?.clients.size ?? 0;
  }

  /** Messages not sent to a client because its socket was backed up. */
  get skippedMessages(): number {
    return this.skipped;
  }

  start(): void {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.wss.on('connection', (socket) => {
      const subscription = new LiveSubscription();
      this.subscriptions.set(socket, subscription);
      socket.on('error', () => socket.terminate());
      socket.on('close', () => this.subscriptions.delete(socket));
      socket.on('message', (data, isBinary) => {
        const parsed = isBinary
          ? { issues: [{ path: [], message: 'expected a text message' }] }
          : parseLiveClientMessage(data.toString());
        if ('subscribe' in parsed) {
          subscription.set(parsed.subscribe);
          return;
        }
        const described = parsed.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);
        this.send(socket, {
          type: 'error',
          topic: 'ppipe/live',
          error: `invalid message on /api/live: ${described.join('; ')}`,
          issues: parsed.issues,
        });
      });
      socket.send(JSON.stringify(this.snapshot()));
    });
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const wss = this.wss;
    if (!wss) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  }

  broadcast(message: LiveMessage): void {
    if (!this.wss || this.wss.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const client of this.wss.clients) this.send(client, text);
  }

  /** Whether some client is due a frame of `camera` now (before any encoding work). */
  wantsFrame(camera: string, nowMs: number): boolean {
    for (const subscription of this.subscriptions.values()) if (subscription.due(camera, nowMs)) return true;
    return false;
  }

  /**
   * Sends a frame of `camera` to every client due one; `build` makes the message of each kind at most once
   * (the grid's is smaller than the full-size one).
   */
  sendFrame(camera: string, nowMs: number, build: (kind: FrameKind) => LiveMessage | undefined): void {
    const texts = new Map<FrameKind, string | undefined>();
    for (const [client, subscription] of this.subscriptions) {
      const kind = subscription.due(camera, nowMs);
      if (kind === undefined) continue;
      if (!texts.has(kind)) {
        const message = build(kind);
        texts.set(kind, message === undefined ? undefined : JSON.stringify(message));
      }
      const text = texts.get(kind);
      if (text !== undefined && this.send(client, text)) subscription.sent(camera, nowMs);
    }
  }

  async stop(): Promise<void> {
    const wss = this.wss;
    this.wss = undefined;
    if (!wss) return;
    for (const client of wss.clients) client.terminate();
    this.subscriptions.clear();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  private send(client: WebSocket, message: string | LiveMessage): boolean {
    if (client.readyState !== WebSocket.OPEN) return false;
    if (client.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.skipped++;
      return false;
    }
    client.send(typeof message === 'string' ? message : JSON.stringify(message));
    return true;
  }
}
