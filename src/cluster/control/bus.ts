/**
 * The control-plane bus: one MQTT client with typed publish and subscribe over the topics of messages.ts.
 * Every inbound payload is validated; a bad one is logged with its reason (and answered with an error
 * response when it is a request carrying a transaction), and never reaches a handler or crashes the node.
 */
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from '../../config/index.ts';
import type { PayloadOf, RequestAction, ResponseEnvelope, TopicKind } from './messages.ts';
import { describeConnectError } from '../data/tlsErrors.ts';
import { REQUEST_ACTIONS, encodeMessage, matchTopic, parseMessage, subscriptionOf, topicOf } from './messages.ts';

export interface BusOptions {
  /** mqtt://, mqtts://, ws:// or wss:// URL of the broker. */
  url: string;
  prefix: string;
  clientId: string;
  username?: string;
  password?: string;
  /** CA certificate file (PEM) for mqtts://. */
  caFile?: string;
  /** Published retained on `<prefix>/nodes/<id>/available` by the broker when the client vanishes. */
  willNodeId?: string;
}

export type Handler<K extends TopicKind> = (
  value: PayloadOf<K>,
  param: string | undefined,
  topic: string,
) => void | Promise<void>;

export type RequestHandler = (data: Record<string, unknown>) => unknown;

export class Bus {
  private client: MqttClient | undefined;
  private readonly handlers = new Map<TopicKind, Array<Handler<TopicKind>>>();
  private readonly requestHandlers = new Map<string, RequestHandler>();
  private readonly reconnectListeners: Array<() => void> = [];
  /** Rejected inbound payloads (for stats and tests). */
  rejected = 0;

  constructor(
    private readonly options: BusOptions,
    private readonly log: Logger,
  ) {}

  get prefix(): string {
    return this.options.prefix;
  }

  async start(): Promise<void> {
    const { url, clientId, username, password, caFile, willNodeId, prefix } = this.options;
    const clientOptions: IClientOptions = {
      clientId,
      reconnectPeriod: 500,
      connectTimeout: 5000,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(caFile !== undefined ? { ca: readFileSync(caFile) } : {}),
      ...(willNodeId !== undefined
        ? {
            will: {
              topic: topicOf(prefix, 'available', willNodeId),
              payload: Buffer.from('offline'),
              qos: 1,
              retain: true,
            },
          }
        : {}),
    };
    // connectAsync rejects on the first error (refused credentials, untrusted certificate) instead of retrying.
    const client = await mqtt.connectAsync(url, clientOptions).catch((error: unknown) => {
      throw new Error(`MQTT broker ${url}: ${describeBrokerError(error)}`, { cause: error });
    });
    this.client = client;
    client.on('message', (topic, payload, packet) => this.dispatch(topic, payload, packet.retain));
    client.on('error', (error) => this.log.warn({ err: error }, 'mqtt client error'));
    // 'connect' after connectAsync is a reconnection (mqtt.js resubscribes by itself; retained state may be gone).
    client.on('connect', () => {
      this.log.info({ url }, 'mqtt reconnected');
      for (const listener of this.reconnectListeners) {
        try {
          listener();
        } catch (error) {
          this.log.error({ err: error }, 'reconnect listener failed');
        }
      }
    });
  }

  /**
   * Calls `listener` after each reconnection to the broker. A restarted broker has lost its retained
   * messages (availability, announcements, plans, assignments): their owners publish them again here.
   */
  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  /** Whether the client is connected to the broker now (it reconnects on its own otherwise). */
  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    // Without a connection there is no clean disconnect to make; waiting for one would never end.
    if (client) await client.endAsync(!client.connected);
  }

  /** Ends the connection without a clean disconnect, so the broker publishes the will (tests, crash drills). */
  async kill(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true);
  }

  /**
   * Handles a kind's messages: of every node, or with `param` only those on that node's topic (a node's
   * broker account may read its own topics only).
   */
  async subscribe<K extends TopicKind>(kind: K, handler: Handler<K>, param?: string): Promise<void> {
    const list = this.handlers.get(kind) ?? [];
    list.push(handler as Handler<TopicKind>);
    this.handlers.set(kind, list);
    const filter =
      param === undefined ? subscriptionOf(this.options.prefix, kind) : topicOf(this.options.prefix, kind, param);
    await this.requireClient().subscribeAsync(filter, { qos: 1 });
  }

  async publish<K extends TopicKind>(kind: K, value: PayloadOf<K>, param?: string, retain?: boolean): Promise<void> {
    const client = this.client;
    if (!client) return;
    await client.publishAsync(topicOf(this.options.prefix, kind, param), encodeMessage(kind, value), {
      qos: 1,
      retain: retain ?? false,
    });
  }

  /** Publishes a raw payload (tests of malformed input, clearing retained topics with an empty payload). */
  async publishRaw(topic: string, payload: string, retain = false): Promise<void> {
    await this.client?.publishAsync(topic, payload, { qos: 1, retain });
  }

  /** Serves `<prefix>/request/<action>` with `<prefix>/response/<action>` envelopes. */
  async serve(action: RequestAction, handler: RequestHandler): Promise<void> {
    this.requestHandlers.set(action, handler);
    if (this.requestHandlers.size === 1)
      await this.requireClient().subscribeAsync(subscriptionOf(this.options.prefix, 'request'), { qos: 1 });
  }

  private requireClient(): MqttClient {
    if (!this.client) throw new Error('the bus is not started');
    return this.client;
  }

  private dispatch(topic: string, payload: Buffer, retained: boolean): void {
    const match = matchTopic(this.options.prefix, topic);
    if (!match) return;
    if (payload.length === 0 && retained) return; // a cleared retained topic
    if (match.kind === 'request') {
      this.handleRequest(topic, match.param ?? '', payload);
      return;
    }
    const handlers = this.handlers.get(match.kind);
    if (!handlers) return;
    const parsed = parseMessage(match.kind, topic, payload);
    if (!parsed.ok) {
      this.rejected++;
      this.log.warn({ topic, reason: parsed.reason }, 'rejected malformed payload');
      return;
    }
    for (const handler of handlers) {
      try {
        const result = handler(parsed.value, match.param, topic);
        if (result instanceof Promise) {
          result.catch((error: unknown) => this.log.error({ topic, err: error }, 'handler failed'));
        }
      } catch (error) {
        this.log.error({ topic, err: error }, 'handler failed');
      }
    }
  }

  private handleRequest(topic: string, action: string, payload: Buffer): void {
    const handler = this.requestHandlers.get(action);
    if (!handler) return;
    const parsed = parseMessage('request', topic, payload);
    const respond = (envelope: ResponseEnvelope): void => {
      this.publish('response', envelope, action).catch((error: unknown) =>
        this.log.warn({ err: error }, 'response not sent'),
      );
    };
    if (!parsed.ok) {
      this.rejected++;
      this.log.warn({ topic, reason: parsed.reason }, 'rejected malformed request');
      const transaction = transactionOf(payload);
      if (transaction !== undefined) respond({ data: null, status: 'error', error: parsed.reason, transaction });
      return;
    }
    const { data, transaction } = parsed.value;
    Promise.resolve()
      .then(() => handler(data))
      .then(
        (result) =>
          respond({ data: result ?? null, status: 'ok', ...(transaction !== undefined ? { transaction } : {}) }),
        (error: unknown) =>
          respond({
            data: null,
            status: 'error',
            error: `${topic}: ${error instanceof Error ? error.message : String(error)}`,
            ...(transaction !== undefined ? { transaction } : {}),
          }),
      );
  }
}

/** CONNACK refusals name the credentials; certificate errors name the CA option. */
export function describeBrokerError(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  // CONNACK "bad user name or password"/"not authorized": 4 and 5 in MQTT 3.1.1, 134 and 135 in MQTT 5.
  if (code === 4 || code === 5 || code === 134 || code === 135) {
    const hint = 'the broker refused the username/password: check username/password, --username/--password';
    return `${(error as Error).message} (${hint})`;
  }
  return describeConnectError(error, "give the CA that signed the broker's certificate (caFile, --broker-ca)");
}

/** Best effort: the transaction of a request that failed validation, so the error can be answered. */
function transactionOf(payload: Buffer): string | undefined {
  try {
    const data = JSON.parse(payload.toString('utf8')) as unknown;
    if (data && typeof data === 'object' && 'transaction' in data && typeof data.transaction === 'string')
      return data.transaction;
  } catch {
    return undefined;
  }
  return undefined;
}

export function isRequestAction(action: string): action is RequestAction {
  return (REQUEST_ACTIONS as ReadonlyArray<string>).includes(action);
}
