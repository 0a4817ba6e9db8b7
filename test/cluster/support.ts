// Shared fixtures of the cluster tests: worker processes (bin/ppipe worker), a quiet logger, throwaway TLS
// certificates. The polling wait is test/helpers.ts's waitFor.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import type { IClientOptions } from 'mqtt';
import { pino } from 'pino';
import type { Logger } from '../../src/config/index.ts';
import { FIXTURE_PROFILES } from '../artifactData.ts';
import { REPO_ROOT, findOnPath, waitFor } from '../helpers.ts';
import type { Detector, RgbImage } from '../../src/detect/index.ts';
import {
  Bus,
  Controller,
  EmbeddedBroker,
  Frontend,
  ModelServer,
  ReservationDispatcher,
} from '../../src/cluster/index.ts';
import type { PlacedPlan, RealPartitionModel } from '../../src/cluster/index.ts';
import { encodeOnnxModel, loadModel, splitModel } from '../../src/models/index.ts';
import type { Plan } from '../../src/planner/index.ts';

export { FIXTURE_PROFILES, REPO_ROOT };
export const TOKEN = 'test-cluster-token';
/** The account of test brokers that check passwords but no topics (the embedded broker admits no anonymous client). */
export const BROKER_ACCOUNT = { username: 'ppipe-test', password: 'test-broker-password' } as const;

/** A logger that keeps its lines in memory (tests look for rejection reasons). */
export function memoryLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { log, lines };
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly id: string;
  stderr: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * A `ppipe worker` process; it logs in as `account` (default BROKER_ACCOUNT, null: give --username in `args`),
 * the password in its environment.
 */
export function spawnWorker(
  brokerUrl: string,
  id: string,
  args: string[],
  account: { username: string; password: string } | null = BROKER_ACCOUNT,
): WorkerProcess {
  const child = spawn(
    path.join(REPO_ROOT, 'bin', 'ppipe'),
    [
      'worker',
      '--broker',
      brokerUrl,
      '--id',
      id,
      '--token',
      TOKEN,
      ...(account ? ['--username', account.username] : []),
      ...args,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...(account ? { PPIPE_BROKER_PASSWORD: account.password } : {}) },
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const worker: WorkerProcess = {
    child,
    id,
    stderr: '',
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  child.stderr!.on('data', (chunk: Buffer) => {
    worker.stderr += chunk.toString('utf8');
  });
  return worker;
}

export interface TestCertificates {
  readonly dir: string;
  /** The throwaway CA that signed the server certificate (PEM). */
  readonly caFile: string;
  /** Server certificate for 127.0.0.1 and localhost (subjectAltName), and its key (PEM). */
  readonly certFile: string;
  readonly keyFile: string;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 10_000 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      'the TLS tests need the openssl command line tool to make throwaway certificates (apt-get install openssl)',
    );
  }
  if (result.error || result.status !== 0)
    throw new Error(`openssl ${args.join(' ')} failed: ${result.error?.message ?? result.stderr}`);
}

/**
 * A CA and a server certificate signed by it, made fresh in a temporary folder (never committed). EC P-256
 * keys keep it fast; valid for two days so a clock skew of hours does not matter.
 */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-tls-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(
      [
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        '2',
        '-subj',
        '/CN=ppipe test CA',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
    openssl(['req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
    writeFileSync(
      path.join(dir, 'server.ext'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' +
        'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
    );
    const serial = `0x${Date.now().toString(16)}`;
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-set_serial',
        serial,
        '-days',
        '2',
        '-extfile',
        'server.ext',
        '-out',
        'server.crt',
      ],
      dir,
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    caFile: path.join(dir, 'ca.crt'),
    certFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Debian's mosquitto as found on PATH; undefined where it is absent (those tests skip, saying why). */
export const MOSQUITTO = findOnPath('mosquitto');
/** `skip` for a test that needs mosquitto: false where it is on PATH, else the reason. */
export const NO_MOSQUITTO: string | false = MOSQUITTO
  ? false
  : 'mosquitto is not on PATH (Debian: apt-get install mosquitto)';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Mosquitto {
  readonly port: number;
  readonly dir: string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's mosquitto on 127.0.0.1 with `listener <port> 127.0.0.1`, `persistence false` and the given
 * lines; resolves once `probe` options connect (tests skip when mosquitto is not installed: see MOSQUITTO).
 * `configure` gets the temporary folder first, to write what the lines refer to (password file, certificates).
 */
export async function startMosquitto(
  configure: (dir: string) => string[],
  probe: IClientOptions = {},
): Promise<Mosquitto> {
  if (!MOSQUITTO) throw new Error(String(NO_MOSQUITTO));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-mosquitto-'));
  const port = await freePort();
  const config = path.join(dir, 'mosquitto.conf');
  writeFileSync(config, [`listener ${port} 127.0.0.1`, 'persistence false', ...configure(dir), ''].join('\n'));
  const child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const scheme = probe.ca !== undefined ? 'mqtts' : 'mqtt';
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      const client = await mqtt.connectAsync(`${scheme}://127.0.0.1:${port}`, {
        ...probe,
        reconnectPeriod: 0,
        connectTimeout: 500,
      });
      await client.endAsync();
      return { port, dir, stop };
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        await stop();
        throw new Error(`mosquitto did not come up on port ${port}: ${String(error)}; its stderr: ${stderr}`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * A frame served within its SLO: the first frames after a plan change can meet cold sessions on a loaded
 * machine, and a worker starved of CPU for longer than the frontend's stall limit is routed around until it
 * answers again; so up to six tries, half a second apart; the last result is returned either way.
 */
export async function detectOnTime(
  detector: Detector,
  image: RgbImage,
): Promise<Awaited<ReturnType<Detector['detect']>>> {
  let result = await detector.detect(image);
  for (let attempt = 1; attempt < 6 && result.outcome?.status !== 'ok'; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    result = await detector.detect(image);
  }
  return result;
}

/** A fixed plan: the DNN in two partitions (blocks [0,1) and [1,2)), one cpu-1t instance each, batch 1. */
export function twoPartitionPlan(dnn: string, sloUs = 10_000_000): Plan {
  const partition = (blocks: [number, number], transferUs: number) => ({
    blocks,
    gpu: 'cpu-1t',
    mpsShare: 1,
    instances: 1,
    gpus: 1,
    gpusPerServer: 1,
    inferUs: 5000,
    transferUs,
    throughputRps: 200,
  });
  return {
    format: 'ppipe-plan/1',
    algorithm: 'ppipe',
    maxPartitions: 2,
    objective: 200,
    status: 'optimal',
    mipGap: 0,
    cluster: {
      bandwidthGbps: 10,
      batchBuildFactor: 1.3,
      gpus: [{ type: 'cpu-1t', count: 2, mpsLevels: 1, gpusPerServer: 1 }],
    },
    dnns: [
      {
        name: dnn,
        weight: 1,
        sloUs,
        marginUs: 0,
        estXput: null,
        blockCount: 2,
        transferUsPerSample: [100],
        throughputRps: 200,
        pipelines: [
          {
            throughputRps: 200,
            batchSize: 1,
            estBatchBuildUs: 0,
            partitions: [partition([0, 1], 100), partition([1, 2], 0)],
          },
        ],
      },
    ],
  };
}

/** The model split at its middle node into the partitions `0-1` and `1-2` of twoPartitionPlan. */
export async function splitInTwo(
  name: string,
  bytes: Uint8Array,
): Promise<{ partitions: Map<string, RealPartitionModel>; first: ReturnType<typeof splitModel>['plans'][number] }> {
  const loaded = await loadModel(name, bytes);
  const split = splitModel(loaded.model, loaded.analysis, loaded.shapeInfo, [
    Math.floor(loaded.analysis.nodes.length / 2),
  ]);
  const [first, second] = split.plans as [(typeof split.plans)[number], (typeof split.plans)[number]];
  const partitions = new Map<string, RealPartitionModel>([
    [
      '0-1',
      {
        bytes: encodeOnnxModel(split.models[0]!),
        inputs: first.inputs,
        link: first.link,
        linkBytesPerSample: first.linkBytesPerSample,
      },
    ],
    [
      '1-2',
      { bytes: encodeOnnxModel(split.models[1]!), inputs: second.inputs, link: second.outputs, linkBytesPerSample: 0 },
    ],
  ]);
  return { partitions, first };
}

/** A controller forced to twoPartitionPlan, its frontend, and two `ppipe worker` processes (cpu-1t each). */
export type TwoPartitionCluster = {
  readonly frontend: Frontend;
  readonly controller: Controller;
  readonly models: ModelServer;
  /** The plan the frontend serves (undefined until placed, or after forgetPlacedPlan). */
  placedPlan(): PlacedPlan | undefined;
  forgetPlacedPlan(): void;
  /** Waits until both workers serve a placed plan; resolves to the nodes of its two partitions. */
  serving(timeoutMs?: number): Promise<string[]>;
  stop(): Promise<void>;
};

/** Starts the embedded broker, a model server, the frontend, the controller and workers `ids` (two of them). */
export async function startTwoPartitionCluster(
  dnn: string,
  partitions: ReadonlyMap<string, RealPartitionModel>,
  ids: [string, string],
): Promise<TwoPartitionCluster> {
  const { log } = memoryLogger();
  const cache = mkdtempSync(path.join(os.tmpdir(), 'ppipe-cache-'));
  const broker = new EmbeddedBroker({ accounts: [BROKER_ACCOUNT] });
  await broker.start();
  const bus = new Bus({ url: broker.url, prefix: 'ppipe', clientId: 'controller', ...BROKER_ACCOUNT }, log);
  const models = new ModelServer();
  await models.start();
  const frontend = new Frontend(new ReservationDispatcher(), { token: TOKEN, linkDtype: 'float32' }, log);
  let placed: PlacedPlan | undefined;
  const controller = new Controller(
    bus,
    models,
    {
      profiles: '',
      models: [{ name: dnn, partitions }],
      algorithm: 'ppipe',
      bandwidthGbps: 10,
      paceLinks: false,
      linkDtype: 'float32',
      debounceMs: 100,
      planOverride: (nodes) => (nodes.length === 2 ? twoPartitionPlan(dnn) : undefined),
    },
    {
      onPlacedPlan: (plan) => {
        placed = plan;
        frontend.setPlacedPlan(plan);
      },
    },
    log,
  );
  const workerArgs = ['--device-class', 'cpu-1t', '--mps-levels', '1', '--device', 'cpu:1'];
  const workers = ids.map((id) =>
    spawnWorker(broker.url, id, [...workerArgs, '--model-origin', models.baseUrl, '--cache', path.join(cache, id)]),
  );
  const stop = async (): Promise<void> => {
    for (const worker of workers) await worker.stop();
    await controller.stop();
    await frontend.stop();
    await models.stop();
    await bus.stop();
    await broker.stop();
    rmSync(cache, { recursive: true, force: true });
  };
  try {
    await bus.start();
    await frontend.start();
    await controller.start();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    frontend,
    controller,
    models,
    placedPlan: () => placed,
    forgetPlacedPlan: () => void (placed = undefined),
    async serving(timeoutMs = 60_000) {
      await waitFor('both workers serving', () => placed !== undefined, timeoutMs);
      return placed!.dnns[0]!.pipelines[0]!.partitions.map((p) => p.instances[0]!.nodeId);
    },
    stop,
  };
}
