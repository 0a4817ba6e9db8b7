/**
 * What a cluster head runs, assembled from one options object: the MQTT broker (embedded aedes, or an
 * external one by URL with credentials and CA), the control-plane bus, the model server (partitions over
 * HTTP), the frontend (tensor link server + dispatcher), the controller (plans for the nodes that are up and
 * re-plans when they join or leave) and the supervised local worker processes. Started in that order and
 * stopped in reverse; `ppipe start` (through the appliance) and `ppipe cluster-bench` both run one.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../config/index.ts';
import { HEAD_USERNAME } from '../../config/index.ts';
import { ProfileLibrary } from '../../planner/index.ts';
import { ControlPlaneAcl } from '../control/acl.ts';
import { EmbeddedBroker } from '../control/broker.ts';
import type { BrokerAccount } from '../control/broker.ts';
import { Bus } from '../control/bus.ts';
import { Controller } from '../control/controller.ts';
import type { ControllerEvents, ControllerOptions } from '../control/controller.ts';
import type { Dispatcher, PlacedPlan } from '../data/dispatcher.ts';
import { Frontend } from '../data/frontend.ts';
import { LocalWorkers } from '../node/localWorkers.ts';
import type { LocalWorkerSpec, LocalWorkerStats } from '../node/localWorkers.ts';
import { ModelServer } from '../data/modelServer.ts';
import { ReservationDispatcher } from '../data/reservationDispatcher.ts';

export interface ExternalBroker {
  /** mqtt://, mqtts://, ws:// or wss:// URL. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** CA certificate (PEM) for mqtts:// and wss://. */
  readonly caFile?: string;
}

/** How workers on other machines reach the head's frontend link and model server. */
export interface HeadListen {
  /** Address both listen on (default 127.0.0.1: this machine's workers only; 0.0.0.0 for every interface). */
  readonly host?: string;
  /** Name workers reach this machine by (default: host, or the machine's name for a wildcard host). */
  readonly advertiseHost?: string;
  /** PEM files: the frontend link over wss:// and the model server over https://. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** CA of workers' wss:// links with private certificates. */
  readonly linkCaFile?: string;
}

/** A worker that is not a local worker, admitted by the embedded broker with its own password. */
export interface NodeAccount {
  readonly id: string;
  readonly password: string;
}

export interface ClusterHeadOptions {
  /** Absent: the embedded broker on a free loopback port, admitting only the head, its workers and `nodes`. */
  readonly broker?: ExternalBroker;
  /** Accounts of other workers on the embedded broker (each may use its own topics only). */
  readonly nodes?: ReadonlyArray<NodeAccount>;
  /** Port of the model server (default 0: a free one; other workers need a fixed one for --model-origin). */
  readonly modelServerPort?: number;
  /** Absent: loopback only, plain ws:// and http://. */
  readonly listen?: HeadListen;
  readonly prefix: string;
  /** Tensor-link token: the frontend and every worker present it. */
  readonly token: string;
  readonly clientId?: string;
  readonly controller: ControllerOptions;
  /** Default: the reservation dispatcher (the paper's scheduler) on the wall clock. */
  readonly dispatcher?: Dispatcher;
  /** Factor on SLOs for emulated clusters slowed down by --time-scale. */
  readonly timeScale?: number;
  /** Local worker processes to start and supervise. */
  readonly workers?: ReadonlyArray<LocalWorkerSpec>;
  readonly echoWorkerStderr?: boolean;
  /** Listeners besides the head's own (which hands topologies and node deaths to the frontend). */
  readonly events?: ControllerEvents;
}

/** Wall-clock µs the default dispatcher keeps in hand for timer overshoot, framing and loopback. */
const WALL_CLOCK_GUARD_US = 5000;

export class ClusterHead {
  private embedded: EmbeddedBroker | undefined;
  private busInstance: Bus | undefined;
  private modelServer: ModelServer | undefined;
  private frontendInstance: Frontend | undefined;
  private controllerInstance: Controller | undefined;
  private localWorkers: LocalWorkers | undefined;
  private serving: PlacedPlan | undefined;
  private url: string | undefined;
  readonly dispatcher: Dispatcher;

  constructor(
    private readonly options: ClusterHeadOptions,
    private readonly log: Logger,
  ) {
    this.dispatcher =
      options.dispatcher ??
      new ReservationDispatcher({
        // On the wall clock a timer fires late by a millisecond or more: a lone request woken at the last
        // moment its batch still fits would miss it. The guard wakes it that much earlier.
        guardUs: WALL_CLOCK_GUARD_US,
        // A batch smaller than planned goes when its first worker can take it: waiting longer for more frames
        // (the paper's last moment) would leave a lone camera's frames no room for what the profile misses.
        reservation: { waitForBatch: 'slot' },
        // Per-batch-size latencies from the profiles the plans are made from (read per new placed plan, so
        // profiles added for a remote device class count).
        profileOf: (dnn) => {
          try {
            return new ProfileLibrary([options.controller.profiles]).get(dnn);
          } catch {
            return undefined;
          }
        },
      });
  }

  get brokerUrl(): string {
    return this.need(this.url, 'broker');
  }

  get bus(): Bus {
    return this.need(this.busInstance, 'bus');
  }

  get frontend(): Frontend {
    return this.need(this.frontendInstance, 'frontend');
  }

  get controller(): Controller {
    return this.need(this.controllerInstance, 'controller');
  }

  get models(): ModelServer {
    return this.need(this.modelServer, 'model server');
  }

  /** The placed plan the frontend serves (every node of the current plan has loaded it), if any. */
  get placedPlan(): PlacedPlan | undefined {
    return this.serving;
  }

  /** Batches the frontend sent, by their number of frames (empty until it has started). */
  dispatchedBatchSizes(): ReadonlyMap<number, number> {
    return this.frontendInstance?.batchSizes ?? new Map();
  }

  workers(): LocalWorkerStats[] {
    return this.localWorkers?.stats() ?? [];
  }

  /**
   * Closes the embedded broker (every client is cut off) and opens a new one on the same port, as a broker
   * restart would: its retained messages are gone until their owners publish them again on reconnecting.
   */
  async restartEmbeddedBroker(): Promise<void> {
    await this.need(this.embedded, 'embedded broker').restart();
  }

  /** Kills a local worker's process as a crash would; the head restarts it. */
  killWorker(id: string): boolean {
    return this.localWorkers?.kill(id) ?? false;
  }

  async start(): Promise<void> {
    const o = this.options;
    try {
      // On the embedded broker every start makes new passwords for the head and each local worker.
      const embeddedAccounts = o.broker ? undefined : this.embeddedAccounts();
      if (o.broker) this.url = o.broker.url;
      else {
        this.embedded = new EmbeddedBroker({
          accounts: [...embeddedAccounts!.values()],
          authorizer: new ControlPlaneAcl({ prefix: o.prefix, headUsername: HEAD_USERNAME }),
        });
        await this.embedded.start();
        this.url = this.embedded.url;
      }
      const headAccount = embeddedAccounts?.get(HEAD_USERNAME) ?? o.broker;
      const bus = new Bus(
        {
          url: this.url,
          prefix: o.prefix,
          clientId: o.clientId ?? `ppipe-head-${process.pid}`,
          ...(headAccount?.username !== undefined ? { username: headAccount.username } : {}),
          ...(headAccount?.password !== undefined ? { password: headAccount.password } : {}),
          ...(o.broker?.caFile !== undefined ? { caFile: o.broker.caFile } : {}),
        },
        this.log,
      );
      this.busInstance = bus;
      await bus.start();
      const listen = o.listen ?? {};
      const where = {
        ...(listen.host !== undefined ? { host: listen.host } : {}),
        ...(listen.advertiseHost !== undefined ? { advertiseHost: listen.advertiseHost } : {}),
        ...(listen.tls ? { tls: listen.tls } : {}),
      };
      this.modelServer = new ModelServer({ ...where, token: o.token });
      await this.modelServer.start(o.modelServerPort ?? 0);
      const frontend = new Frontend(
        this.dispatcher,
        {
          ...where,
          token: o.token,
          linkDtype: o.controller.linkDtype,
          ...(listen.linkCaFile !== undefined ? { linkCaFile: listen.linkCaFile } : {}),
          ...(o.timeScale !== undefined ? { timeScale: o.timeScale } : {}),
        },
        this.log,
      );
      this.frontendInstance = frontend;
      await frontend.start();
      const events = o.events ?? {};
      this.controllerInstance = new Controller(
        bus,
        this.modelServer,
        o.controller,
        {
          onPlacedPlan: (placedPlan) => {
            this.serving = placedPlan;
            frontend.setPlacedPlan(placedPlan);
            events.onPlacedPlan?.(placedPlan);
          },
          onNodeDown: (id, reason) => {
            frontend.nodeDown(id);
            events.onNodeDown?.(id, reason);
          },
          ...(events.onPlan ? { onPlan: events.onPlan } : {}),
        },
        this.log,
      );
      await this.controllerInstance.start();
      if (o.workers && o.workers.length > 0) {
        const env: Record<string, string> = {
          PPIPE_CLUSTER_TOKEN: o.token,
          ...(o.broker?.password !== undefined ? { PPIPE_BROKER_PASSWORD: o.broker.password } : {}),
        };
        const shared = [
          ...(o.broker?.username !== undefined ? ['--username', o.broker.username] : []),
          ...(o.broker?.caFile !== undefined ? ['--broker-ca', o.broker.caFile] : []),
          // The only origin the workers fetch models from (and send the token to).
          '--model-origin',
          this.modelServer.baseUrl,
        ];
        // On the embedded broker each worker is its own user (its node id) with its own password.
        const own = (id: string): Pick<LocalWorkerSpec, 'args' | 'env'> => {
          const account = embeddedAccounts?.get(id);
          return account
            ? { args: ['--username', account.username], env: { PPIPE_BROKER_PASSWORD: account.password } }
            : { args: [] };
        };
        this.localWorkers = new LocalWorkers(
          o.workers.map((w) => {
            const { args, env: ownEnv } = own(w.id);
            return { id: w.id, args: [...shared, ...args, ...w.args], ...(ownEnv ? { env: ownEnv } : {}) };
          }),
          {
            brokerUrl: this.url,
            prefix: o.prefix,
            env,
            ...(o.echoWorkerStderr !== undefined ? { echoStderr: o.echoWorkerStderr } : {}),
            onExit: (id, reason) => this.controllerInstance?.nodeExited(id, reason),
          },
          this.log,
        );
        this.localWorkers.start();
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stops everything in reverse order of start; safe on a partly started head. */
  async stop(): Promise<void> {
    await this.localWorkers?.stop();
    this.localWorkers = undefined;
    await this.controllerInstance?.stop();
    this.controllerInstance = undefined;
    await this.frontendInstance?.stop();
    this.frontendInstance = undefined;
    await this.modelServer?.stop();
    this.modelServer = undefined;
    await this.busInstance?.stop().catch(() => undefined);
    this.busInstance = undefined;
    await this.embedded?.stop();
    this.embedded = undefined;
    this.serving = undefined;
  }

  /** The head's and each local worker's account with a fresh random password, and the configured nodes'. */
  private embeddedAccounts(): Map<string, BrokerAccount> {
    const accounts = new Map<string, BrokerAccount>();
    const add = (username: string, password: string): void => {
      if (accounts.has(username))
        throw new Error(`two workers have the id "${username}" (local workers, nodes, or the head's user name)`);
      accounts.set(username, { username, password });
    };
    add(HEAD_USERNAME, randomBytes(24).toString('base64url'));
    for (const worker of this.options.workers ?? []) add(worker.id, randomBytes(24).toString('base64url'));
    for (const node of this.options.nodes ?? []) add(node.id, node.password);
    return accounts;
  }

  private need<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`the cluster head's ${what} is not started`);
    return value;
  }
}
