/**
 * The WebSocket live feed at /api/live: a new client gets a snapshot first (cameras and recent detections),
 * then detection events with a JPEG thumbnail and camera status events. Slow clients skip messages rather
 * than buffer without bound.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { LiveMessage } from './api.ts';

const MAX_BUFFERED_BYTES = 1 << 20;

export class LiveFeed {
  private wss: WebSocketServer | undefined;
  private skipped = 0;

  constructor(private readonly snapshot: () => LiveMessage) {}

  get clients(): number {
    return this.wss?.clients.size ?? 0;
  }

  start(): void {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.wss.on('connection', (socket) => {
      socket.on('error', () => socket.terminate());
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
    for (const client of this.wss.clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      if (client.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.skipped++;
        continue;
      }
      client.send(text);
    }
  }

  async stop(): Promise<void> {
    const wss = this.wss;
    this.wss = undefined;
    if (!wss) return;
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
}
