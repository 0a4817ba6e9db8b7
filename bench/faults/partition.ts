// Fault: a partition between an edge and a cloud site. Two network namespaces made here (edge, cloud) joined
// by a veth pair, the WAN, with addresses only inside them (10.200.0.1 edge, 10.200.0.2 cloud). The edge holds
// mosquitto and the cluster head with its local worker (bench/faults/support/partitionEdge.ts, which cuts and heals
// the WAN and measures); the cloud holds one emulated worker with four L4s. Everything made is removed at the
// end, also on failure. Where it cannot run (not root, no `ip` or mosquitto, no namespaces) it says why.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/index.ts';
import type { PartitionEdgeOptions } from './support/partitionEdge.ts';

const EDGE_ADDRESS = '10.200.0.1';
const CLOUD_ADDRESS = '10.200.0.2';
const BROKER_PORT = 1883;
const CLOUD_NODE = 'cloud-l4';
const EDGE_DEADLINE_MS = 240_000;

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Why the scenario cannot run here, or undefined when it can (namespaces are tried in `run`). */
export function partitionUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to make network namespaces';
  if (!onPath('ip')) return 'needs the ip command (iproute2)';
  if (!onPath('mosquitto')) return 'needs mosquitto (the broker at the edge)';
  return undefined;
}

function ip(args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.error || result.status !== 0)
    throw new Error(`ip ${args.join(' ')}: ${result.error?.message ?? result.stderr.trim()}`);
}

interface Spawned {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output: string;
  errors: string;
}

function spawnIn(namespace: string, command: string, args: string[]): Spawned {
  const child = spawn('ip', ['netns', 'exec', namespace, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const spawned: Spawned = {
    child,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    output: '',
    errors: '',
  };
  child.stdout!.on('data', (chunk: Buffer) => void (spawned.output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => void (spawned.errors = (spawned.errors + chunk.toString()).slice(-8000)));
  return spawned;
}

/** Runs the partition; resolves to the edge's measurements, or to `{ skipped }` saying why it cannot run. */
export async function measurePartition(options: { edgeOnlyS: number }): Promise<Record<string, unknown>> {
  const unsupported = partitionUnsupported();
  if (unsupported) return { skipped: unsupported };
  const tag = `${process.pid % 100_000}`;
  const edgeNs = `ppipe-edge-${tag}`;
  const cloudNs = `ppipe-cloud-${tag}`;
  const edgeDevice = `ppwe${tag}`;
  const cloudDevice = `ppwc${tag}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-fault-partition-'));
  const spawned: Spawned[] = [];
  const made: string[] = [];
  try {
    try {
      for (const ns of [edgeNs, cloudNs]) {
        ip(['netns', 'add', ns]);
        made.push(ns);
        ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      }
    } catch (error) {
      return { skipped: `cannot make network namespaces: ${(error as Error).message}` };
    }
    ip(['link', 'add', edgeDevice, 'netns', edgeNs, 'type', 'veth', 'peer', 'name', cloudDevice, 'netns', cloudNs]);
    ip(['-n', edgeNs, 'addr', 'add', `${EDGE_ADDRESS}/24`, 'dev', edgeDevice]);
    ip(['-n', cloudNs, 'addr', 'add', `${CLOUD_ADDRESS}/24`, 'dev', cloudDevice]);
    ip(['-n', edgeNs, 'link', 'set', edgeDevice, 'up']);
    ip(['-n', cloudNs, 'link', 'set', cloudDevice, 'up']);

    const brokerConfig = path.join(dir, 'mosquitto.conf');
    writeFileSync(
      brokerConfig,
      [`listener ${BROKER_PORT} ${EDGE_ADDRESS}`, 'allow_anonymous true', 'persistence false', ''].join('\n'),
    );
    spawned.push(spawnIn(edgeNs, onPath('mosquitto')!, ['-c', brokerConfig]));
    const brokerUrl = `mqtt://${EDGE_ADDRESS}:${BROKER_PORT}`;
    const token = randomBytes(16).toString('hex');
    const prefix = 'ppipe-partition';
    const cloud = spawnIn(cloudNs, path.join(REPO_ROOT, 'bin', 'ppipe'), [
      ...['worker', '--broker', brokerUrl, '--prefix', prefix, '--id', CLOUD_NODE, '--token', token],
      ...['--site', 'cloud', '--device-class', 'L4', '--gpus', '4', '--mps-levels', '4', '--emulate'],
      ...['--host', CLOUD_ADDRESS],
    ]);
    spawned.push(cloud);
    const edgeOptions: PartitionEdgeOptions = {
      brokerUrl,
      prefix,
      token,
      edgeHost: EDGE_ADDRESS,
      cloudNamespace: cloudNs,
      cloudDevice,
      cloudNodeId: CLOUD_NODE,
      edgeOnlyS: options.edgeOnlyS,
    };
    const loader = `file://${path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')}`;
    const edge = spawnIn(edgeNs, process.execPath, [
      ...['--import', loader, path.join(REPO_ROOT, 'bench', 'faults', 'support', 'partitionEdge.ts')],
      JSON.stringify(edgeOptions),
    ]);
    spawned.push(edge);
    // The edge side bounds each of its waits; this bounds the whole, so that cleanup always comes.
    const overdue = setTimeout(() => edge.child.kill('SIGKILL'), EDGE_DEADLINE_MS);
    const code = await edge.exited.finally(() => clearTimeout(overdue));
    const line = edge.output.trim().split('\n').pop();
    if (code !== 0 || !line) {
      throw new Error(
        `the edge side failed (exit ${code}): ${edge.errors.trim()}\ncloud worker: ${cloud.errors.slice(-2000)}`,
      );
    }
    return JSON.parse(line) as Record<string, unknown>;
  } finally {
    for (const { child, exited } of spawned.reverse()) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    }
    for (const ns of made) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export const name = 'partition';

export function run(): Promise<object> {
  return measurePartition({ edgeOnlyS: 3 });
}
