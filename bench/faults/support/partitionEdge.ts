// The edge side of the partition fault (bench/faults/partition.ts runs it inside the edge network namespace):
// a cluster head for site shop-1 with one local emulated T4 worker, planning with the cloud's emulated L4s
// that join over the WAN link. It serves a steady load, cuts the WAN (the cloud's end of the veth pair down),
// watches what the edge serves and reports while cut, heals the link and waits for the plan with the cloud to
// come back. Prints one JSON object on stdout; progress on stderr (with PPIPE_FAULT_VERBOSE=1 also the edge
// worker's log). Argument: the options below as JSON.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pino } from 'pino';
import { ClusterHead, siteEdgeNetwork } from '../../../src/cluster/index.ts';
import type { RequestOutcome } from '../../../src/cluster/index.ts';
import { REPO_ROOT, clusterConfigSchema } from '../../../src/config/index.ts';

export interface PartitionEdgeOptions {
  brokerUrl: string;
  prefix: string;
  token: string;
  /** This namespace's address: the head's frontend and model server and the edge worker listen on it. */
  edgeHost: string;
  /** The cloud's namespace and its end of the WAN veth pair, set down to cut (the cloud's uplink fails; the
   *  edge's own address stays up for its local worker and broker) and up to heal. */
  cloudNamespace: string;
  cloudDevice: string;
  cloudNodeId: string;
  /** How long the WAN stays cut after the edge has planned without the cloud, seconds. */
  edgeOnlyS: number;
}

const FIXTURE_PROFILES = path.join(REPO_ROOT, 'test', 'fixtures', 'ppipe-artifact');
const EDGE_NODE = 'edge-t4';
const ROUND_SIZE = 6;
const ROUND_EVERY_MS = 250;

interface Outcome {
  readonly submittedMs: number;
  finishedMs?: number;
  status?: RequestOutcome['status'];
  reason?: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as PartitionEdgeOptions;
const progress = (text: string): void => void process.stderr.write(`partition edge: ${text}\n`);
const now = (): number => performance.now();
const seconds = (ms: number): number => Number((ms / 1000).toFixed(2));

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function setWan(state: 'up' | 'down'): void {
  const args = ['-n', options.cloudNamespace, 'link', 'set', 'dev', options.cloudDevice, state];
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr}`);
}

/** Counts of outcomes submitted in [fromMs, toMs); `unresolved` are still waiting for an answer. */
function tally(outcomes: ReadonlyArray<Outcome>, fromMs: number, toMs: number): Record<string, unknown> {
  const picked = outcomes.filter((o) => o.submittedMs >= fromMs && o.submittedMs < toMs);
  const count = (status: string): number => picked.filter((o) => o.status === status).length;
  const dropReasons: Record<string, number> = {};
  for (const o of picked) {
    if (o.status !== 'dropped') continue;
    const reason = (o.reason ?? 'none').split(':')[0]!;
    dropReasons[reason] = (dropReasons[reason] ?? 0) + 1;
  }
  const waits = picked.map((o) => (o.finishedMs ?? now()) - o.submittedMs);
  return {
    requests: picked.length,
    ok: count('ok'),
    late: count('late'),
    dropped: count('dropped'),
    unresolved: picked.filter((o) => o.status === undefined).length,
    dropReasons,
    longestWaitS: seconds(Math.max(0, ...waits)),
  };
}

const edge = siteEdgeNetwork(
  clusterConfigSchema.parse({
    site: 'shop-1',
    topology: {
      links: [{ from: 'shop-1', to: 'cloud', bandwidthGbps: 0.2, rttUs: 10_000 }],
      decodeUsPerFrame: 3000,
      videoBitrateMbps: 3,
    },
  }),
  Array.from({ length: 4 }, () => ({ dnn: 'repvgg-b3', fps: 15 })),
)!;

const nodeDowns: Array<{ atMs: number; id: string; reason: string }> = [];
const head = new ClusterHead(
  {
    broker: { url: options.brokerUrl },
    listen: { host: options.edgeHost },
    prefix: options.prefix,
    token: options.token,
    controller: {
      profiles: FIXTURE_PROFILES,
      models: [{ name: 'repvgg-b3', sloUs: 150_000 }],
      algorithm: 'ppipe',
      bandwidthGbps: 10,
      paceLinks: false,
      linkDtype: 'float16',
      debounceMs: 200,
      edge,
    },
    workers: [
      {
        id: EDGE_NODE,
        args: [
          '--site',
          'shop-1',
          '--device-class',
          'T4',
          '--mps-levels',
          '4',
          '--emulate',
          '--host',
          options.edgeHost,
        ],
      },
    ],
    echoWorkerStderr: process.env.PPIPE_FAULT_VERBOSE === '1',
    events: { onNodeDown: (id, reason) => void nodeDowns.push({ atMs: now(), id, reason }) },
  },
  pino({ level: 'warn' }, pino.destination(2)),
);

/** The plan being served (every node loaded it) and the nodes it runs on. */
const serving = (): string[] | undefined => {
  const current = head.controller.current;
  if (!current || head.placedPlan?.planId !== current.planId) return undefined;
  return [...current.nodes].sort();
};

const outcomes: Outcome[] = [];
let load: NodeJS.Timeout | undefined;
try {
  await head.start();
  progress('waiting for the edge and the cloud to serve one plan');
  await until('a plan on the edge and the cloud', () => serving()?.length === 2, 60_000);
  const dnn = head.placedPlan!.dnns[0]!.name;
  const submitRound = (): Promise<void>[] =>
    Array.from({ length: ROUND_SIZE }, () => {
      const outcome: Outcome = { submittedMs: now() };
      outcomes.push(outcome);
      return head.frontend.submit(dnn).then((result) => {
        outcome.finishedMs = now();
        outcome.status = result.status;
        if (result.reason !== undefined) outcome.reason = result.reason;
      });
    });
  // Warm-up: the tensor links connect on the first batches; within four rounds one is wholly on time.
  for (let round = 0; round < 4; round++) {
    await Promise.all(submitRound());
    if (outcomes.slice(-ROUND_SIZE).every((o) => o.status === 'ok')) break;
  }
  const baselineRound = outcomes.slice(-ROUND_SIZE).map((o) => o.status);
  load = setInterval(() => void submitRound(), ROUND_EVERY_MS);

  progress('cutting the WAN');
  const cutMs = now();
  setWan('down');
  const down = await until(
    'the cloud node reported down',
    () => nodeDowns.find((d) => d.id === options.cloudNodeId && d.atMs >= cutMs),
    30_000,
  );
  const edgePlanNodes = await until(
    'a plan without the cloud',
    () => {
      const nodes = serving();
      return nodes && !nodes.includes(options.cloudNodeId) ? nodes : undefined;
    },
    30_000,
  );
  const edgePlanMs = now();
  await new Promise((resolve) => setTimeout(resolve, options.edgeOnlyS * 1000));

  progress('healing the WAN');
  const healMs = now();
  setWan('up');
  await until('the plan with the cloud back', () => serving()?.includes(options.cloudNodeId), 60_000).catch(
    (error: unknown) => {
      const nodes = [...head.controller.nodes].map(([id, r]) => ({ id, ...r, announcement: undefined }));
      const state = { current: head.controller.current?.planId, placed: head.placedPlan?.planId, nodes };
      throw new Error(`${(error as Error).message}; controller: ${JSON.stringify(state)}`);
    },
  );
  const backMs = now();
  clearInterval(load);
  load = undefined;
  // Every request made while cut gets an answer (served or dropped with a reason), none hangs.
  await until('every request answered', () => outcomes.every((o) => o.status !== undefined), 15_000).catch(
    () => undefined,
  );
  const afterHeal: Array<string | undefined> = [];
  for (let round = 0; round < 4; round++) {
    await Promise.all(submitRound());
    afterHeal.splice(0, afterHeal.length, ...outcomes.slice(-ROUND_SIZE).map((o) => o.status));
    if (afterHeal.every((s) => s === 'ok')) break;
  }
  process.stdout.write(
    `${JSON.stringify({
      baselineRound,
      nodeDownAfterS: seconds(down.atMs - cutMs),
      nodeDownReason: down.reason,
      edgePlanAfterS: seconds(edgePlanMs - cutMs),
      edgePlanNodes,
      whileCut: tally(outcomes, cutMs, healMs),
      edgeOnly: tally(outcomes, edgePlanMs, healMs),
      planBackAfterS: seconds(backMs - healMs),
      afterHealRound: afterHeal,
    })}\n`,
  );
} finally {
  clearInterval(load);
  await head.stop();
}
