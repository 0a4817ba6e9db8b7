/**
 * The embedded MQTT broker (aedes on a TCP port, 127.0.0.1 by default), so that one command starts a whole
 * cluster on one box. The same code talks to an external broker (mosquitto, EMQX) by URL instead.
 * It admits only the accounts it is given (never an anonymous client), and with an `authorizer` checks every
 * connect, publish (wills included) and subscription against it. With `tls` it listens for mqtts:// only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { Aedes } from 'aedes';
import type { Client } from 'aedes';

export interface BrokerAccount {
  readonly username: string;
  readonly password: string;
}

/** Topic rules by user name (ControlPlaneAcl is the control plane's). */
export interface TopicAuthorizer {
  mayConnect(username: string, clientId: string): boolean;
  mayPublish(username: string, topic: string): boolean;
  maySubscribe(username: string, filter: string): boolean;
}

export interface EmbeddedBrokerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Clients must present one of these (CONNACK "not authorized" otherwise); at least one. */
  accounts: ReadonlyArray<BrokerAccount>;
  /** Absent: every account may use every topic. */
  authorizer?: TopicAuthorizer;
  /** PEM files: listen for mqtts:// instead of plain mqtt://. */
  tls?: { certFile: string; keyFile: string };
}

/** Digests of equal length compare in constant time, so timings tell nothing about the password. */
function digest(secret: string | Buffer): Buffer {
  return createHash('sha256').update(secret).digest();
}

export class EmbeddedBroker {
  private broker: Aedes | undefined;
  private server: net.Server | undefined;
  private address: AddressInfo | undefined;
  /** The port of the first start, kept by restart() so that clients find the broker where it was. */
  private boundPort: number | undefined;

  constructor(private readonly options: EmbeddedBrokerOptions) {}

  get url(): string {
    if (!this.address) throw new Error('the embedded broker is not started');
    return `${this.options.tls ? 'mqtts' : 'mqtt'}://${this.options.host ?? '127.0.0.1'}:${this.address.port}`;
  }

  /** Clients connected and authenticated now. */
  get connectedClients(): number {
    return this.broker?.connectedClients ?? 0;
  }

  async start(): Promise<void> {
    const { accounts, authorizer, tls: tlsFiles } = this.options;
    if (accounts.length === 0)
      throw new Error('the embedded broker needs at least one account: it admits no anonymous client');
    const passwordDigests = new Map(accounts.map((account) => [account.username, digest(account.password)]));
    const unknownUser = digest('');
    // Who each connection authenticated as: the ACL's subject (aedes keeps no user name on its clients).
    const usernames = new WeakMap<Client, string>();
    const broker = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        const expected = username === undefined ? undefined : passwordDigests.get(username);
        // Compare even for an unknown user, so that costs the same time as a wrong password.
        const passwordOk = timingSafeEqual(digest(password ?? Buffer.alloc(0)), expected ?? unknownUser);
        const admitted = expected !== undefined && passwordOk && (authorizer?.mayConnect(username!, client.id) ?? true);
        if (admitted) usernames.set(client, username!);
        done(null, admitted);
      },
      // A will is checked here too, when the broker is about to publish it (then `client` may be gone: null).
      authorizePublish: (client, packet, done) => {
        const username = client ? usernames.get(client) : undefined;
        const allowed = username !== undefined && (authorizer?.mayPublish(username, packet.topic) ?? true);
        done(allowed ? null : new Error(`${username ?? 'unknown'} may not publish on ${packet.topic}`));
      },
      // A refused filter gets the SUBACK failure code (0x80); the connection stays up.
      authorizeSubscribe: (client, subscription, done) => {
        const username = client ? usernames.get(client) : undefined;
        const allowed = username !== undefined && (authorizer?.maySubscribe(username, subscription.topic) ?? true);
        done(null, allowed ? subscription : null);
      },
    });
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
      server.listen(this.boundPort ?? this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
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

  /** Closes the broker (every client is cut off, retained messages are gone) and opens it again on its port. */
  async restart(): Promise<void> {
    if (!this.address) throw new Error('the embedded broker is not started');
    this.boundPort = this.address.port;
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const { broker, server } = this;
    this.broker = undefined;
    this.server = undefined;
    server?.close();
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }
}
