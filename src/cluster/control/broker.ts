/**
 * The embedded MQTT broker (aedes on a TCP port, 127.0.0.1 by default), so that one command starts a whole
 * cluster on one box. The same code talks to an external broker (mosquitto, EMQX) by URL instead.
 * With `tls` it listens for mqtts:// only; with `username` it refuses clients without those credentials.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { Aedes } from 'aedes';

export interface EmbeddedBrokerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When set, clients must present these credentials (CONNACK "not authorized" otherwise). */
  username?: string;
  password?: string;
  /** PEM files: listen for mqtts:// instead of plain mqtt://. */
  tls?: { certFile: string; keyFile: string };
}

/** Compares in constant time, so a remote client cannot learn the password byte by byte from timings. */
function sameSecret(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export class EmbeddedBroker {
  private broker: Aedes | undefined;
  private server: net.Server | undefined;
  private address: AddressInfo | undefined;

  constructor(private readonly options: EmbeddedBrokerOptions = {}) {}

  get url(): string {
    if (!this.address) throw new Error('the embedded broker is not started');
    return `${this.options.tls ? 'mqtts' : 'mqtt'}://${this.options.host ?? '127.0.0.1'}:${this.address.port}`;
  }

  async start(): Promise<void> {
    const { username, password, tls: tlsFiles } = this.options;
    if (username === undefined && password !== undefined)
      throw new Error('the embedded broker has a password but no username: set both');
    const expectedUser = Buffer.from(username ?? '', 'utf8');
    const expectedPassword = Buffer.from(password ?? '', 'utf8');
    const broker = await Aedes.createBroker(
      username === undefined
        ? {}
        : {
            authenticate: (_client, user, pass, done) => {
              // Evaluate both comparisons so a wrong user name costs the same time as a wrong password.
              const userOk = sameSecret(Buffer.from(user ?? '', 'utf8'), expectedUser);
              const passOk = sameSecret(pass === undefined ? Buffer.alloc(0) : Buffer.from(pass), expectedPassword);
              done(null, user !== undefined && userOk && passOk);
            },
          },
    );
    // Read the PEM files before listening, so a wrong path fails start() instead of the first handshake.
    const server = tlsFiles
      ? tls.createServer({ cert: readFileSync(tlsFiles.certFile), key: readFileSync(tlsFiles.keyFile) }, (socket) =>
          broker.handle(socket),
        )
      : net.createServer((socket) => broker.handle(socket));
    // A client that fails the handshake (no CA, wrong host name) is its problem, not the broker's.
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }).catch(async (error: unknown) => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      throw error;
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
