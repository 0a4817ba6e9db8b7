/**
 * The embedded MQTT broker (aedes on a TCP port, 127.0.0.1 by default), so that one command starts a whole
 * cluster on one box. The same code talks to an external broker (mosquitto, EMQX) by URL instead.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBrokerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When set, clients must present these credentials. */
  username?: string;
  password?: string;
}

export class EmbeddedBroker {
  private broker: Aedes | undefined;
  private server: net.Server | undefined;
  private address: AddressInfo | undefined;

  constructor(private readonly options: EmbeddedBrokerOptions = {}) {}

  get url(): string {
    if (!this.address) throw new Error('the embedded broker is not started');
    return `mqtt://${this.options.host ?? '127.0.0.1'}:${this.address.port}`;
  }

  async start(): Promise<void> {
    const { username, password } = this.options;
    const broker = await Aedes.createBroker(
      username === undefined
        ? {}
        : {
            authenticate: (_client, user, pass, done) => {
              const ok = user === username && pass !== undefined && Buffer.from(pass).toString('utf8') === (password ?? '');
              done(null, ok);
            },
          },
    );
    const server = net.createServer((socket) => broker.handle(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.broker = broker;
    this.server = server;
    this.address = server.address() as AddressInfo;
  }

  async stop(): Promise<void> {
    const { broker, server } = this;
    this.broker = undefined;
    this.server = undefined;
    server?.close();
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }
}
