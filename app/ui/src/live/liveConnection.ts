// One WebSocket to /api/live: it reconnects with backoff after a loss, and tells the server what the page
// needs (the grid, one camera full size, or nothing) on every (re)connection and whenever that changes.
// The socket itself comes from `openSocket`, so that this logic runs in the browser and under Node alike.
import type { LiveMessage, LiveSubscribe } from '../../../../src/server/api.ts';
import { DEFAULT_RECONNECT_POLICY, type ReconnectPolicy, reconnectDelayMs } from './reconnectDelay.ts';

export type SocketHandlers = { onOpen: () => void; onMessage: (text: string) => void; onClose: () => void };
export type LiveSocket = { send(text: string): void; close(): void };
export type OpenSocket = (url: string, handlers: SocketHandlers) => LiveSocket;

export type FrameWish = Omit<LiveSubscribe, 'type'>;
export type ConnectionState = 'connecting' | 'open' | 'waiting';

export type LiveEvent =
  | { kind: 'message'; message: LiveMessage }
  | { kind: 'state'; state: ConnectionState; retryInMs: number | null }
  | { kind: 'invalid'; reason: string };

export type LiveConnectionOptions = { policy?: ReconnectPolicy; random?: () => number };

const NO_FRAMES: FrameWish = { grid: false, fullSize: null };

export class LiveConnection {
  private socket: LiveSocket | null = null;
  private open = false;
  private stopped = true;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private wish: FrameWish = NO_FRAMES;
  private sentWish: FrameWish = NO_FRAMES;
  private readonly policy: ReconnectPolicy;
  private readonly random: () => number;

  constructor(
    private readonly url: string,
    private readonly openSocket: OpenSocket,
    private readonly onEvent: (event: LiveEvent) => void,
    options: LiveConnectionOptions = {},
  ) {
    this.policy = options.policy ?? DEFAULT_RECONNECT_POLICY;
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    this.open = false;
    socket?.close();
  }

  /** What frames the page needs now; sent at once when connected, else on connection. */
  subscribe(wish: FrameWish): void {
    this.wish = { grid: wish.grid, fullSize: wish.fullSize };
    if (this.open) this.sendWish();
  }

  private connect(): void {
    this.onEvent({ kind: 'state', state: 'connecting', retryInMs: null });
    const socket = this.openSocket(this.url, {
      onOpen: () => {
        if (this.socket !== socket) return;
        this.open = true;
        this.attempt = 0;
        this.sentWish = NO_FRAMES;
        this.onEvent({ kind: 'state', state: 'open', retryInMs: null });
        this.sendWish();
      },
      onMessage: (text) => {
        if (this.socket === socket) this.receive(text);
      },
      onClose: () => {
        if (this.socket !== socket) return;
        this.socket = null;
        this.open = false;
        this.scheduleReconnect();
      },
    });
    this.socket = socket;
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delayMs = reconnectDelayMs(this.attempt++, this.policy, this.random);
    this.onEvent({ kind: 'state', state: 'waiting', retryInMs: delayMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect();
    }, delayMs);
  }

  private sendWish(): void {
    // A new connection starts with no frames, so an empty wish needs no message.
    if (this.wish.grid === this.sentWish.grid && this.wish.fullSize === this.sentWish.fullSize) return;
    const message: LiveSubscribe = { type: 'subscribe', ...this.wish };
    this.socket?.send(JSON.stringify(message));
    this.sentWish = this.wish;
  }

  private receive(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.onEvent({ kind: 'invalid', reason: `/api/live sent text that is not JSON: ${text.slice(0, 80)}` });
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { type?: unknown }).type !== 'string') {
      this.onEvent({
        kind: 'invalid',
        reason: `/api/live sent a message without a string "type": ${text.slice(0, 80)}`,
      });
      return;
    }
    this.onEvent({ kind: 'message', message: parsed as LiveMessage });
  }
}
