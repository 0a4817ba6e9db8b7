// What the cluster fault scenarios share: a cluster head with emulated local workers (the fixture profiles'
// efficientnet-b8 on L4 / P4 device classes), a steady stream of requests whose outcomes are timed, and the
// time from a fault to the first request served again.
import { pino } from 'pino';
import { ClusterHead } from '../../../src/cluster/index.ts';
import type {
  ClusterHeadOptions,
  ExternalBroker,
  LocalWorkerSpec,
  RequestOutcome,
} from '../../../src/cluster/index.ts';
import { FIXTURE_PROFILES } from '../../../test/artifactData.ts';

export interface TimedEvent {
  readonly atMs: number;
  readonly what: string;
}

/** A head whose controller and frontend events are recorded with performance.now() times. */
export interface RecordedHead {
  readonly head: ClusterHead;
  readonly events: TimedEvent[];
}

export function emulatedWorker(id: string, deviceClass: 'L4' | 'P4'): LocalWorkerSpec {
  return { id, args: ['--device-class', deviceClass, '--mps-levels', '1', '--emulate'] };
}

export function emulatedHead(
  workers: ReadonlyArray<LocalWorkerSpec>,
  options: { broker?: ExternalBroker; controller?: Partial<ClusterHeadOptions['controller']> } = {},
): RecordedHead {
  const events: TimedEvent[] = [];
  const record = (what: string): void => void events.push({ atMs: performance.now(), what });
  const head = new ClusterHead(
    {
      prefix: 'faults',
      token: 'fault-bench-token',
      ...(options.broker ? { broker: options.broker } : {}),
      workers,
      controller: {
        profiles: FIXTURE_PROFILES,
        models: [{ name: 'efficientnet-b8' }],
        algorithm: 'ppipe',
        bandwidthGbps: 6,
        paceLinks: false,
        linkDtype: 'float16',
        ...options.controller,
      },
      events: {
        onNodeDown: (id, reason) => record(`node ${id} down: ${reason}`),
        onPlan: (message) => record(`plan ${message.planId} (${message.reason})`),
        onPlacedPlan: (placed) => record(placed ? `serving ${placed.planId}` : 'serving nothing'),
      },
    },
    pino({ level: process.env.PPIPE_BENCH_LOG ?? 'silent' }),
  );
  return { head, events };
}

export interface TimedOutcome {
  readonly submittedMs: number;
  readonly settledMs: number;
  readonly status: RequestOutcome['status'];
  readonly reason?: string;
}

/** Submits a request every `everyMs` to the head's frontend (dropped at once while nothing is served). */
export class RequestStream {
  readonly outcomes: TimedOutcome[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly head: ClusterHead,
    private readonly dnn: string,
    private readonly everyMs = 100,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      const submittedMs = performance.now();
      const settled = this.head.frontend
        .submit(this.dnn)
        .then(
          (outcome) =>
            void this.outcomes.push({
              submittedMs,
              settledMs: performance.now(),
              status: outcome.status,
              ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
            }),
        )
        .finally(() => this.pending.delete(settled));
      this.pending.add(settled);
    }, this.everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.pending);
  }

  /** The first request submitted at or after `sinceMs` that was served on time, if any. */
  firstServedSince(sinceMs: number): TimedOutcome | undefined {
    return this.outcomes
      .filter((o) => o.submittedMs >= sinceMs && o.status === 'ok')
      .sort((a, b) => a.settledMs - b.settledMs)[0];
  }

  /** Outcomes of the requests submitted in [sinceMs, untilMs), by status. */
  countsSince(sinceMs: number, untilMs = Infinity): Record<RequestOutcome['status'], number> {
    const counts = { ok: 0, late: 0, dropped: 0 };
    for (const o of this.outcomes) if (o.submittedMs >= sinceMs && o.submittedMs < untilMs) counts[o.status]++;
    return counts;
  }

  /** Why the requests submitted in [sinceMs, untilMs) were dropped: reasons (durations masked) with counts. */
  dropReasons(sinceMs: number, untilMs: number): Record<string, number> {
    const reasons: Record<string, number> = {};
    for (const o of this.outcomes) {
      if (o.status !== 'dropped' || o.submittedMs < sinceMs || o.submittedMs >= untilMs) continue;
      const reason = (o.reason ?? 'no reason').replace(/\d+ ms/g, 'N ms');
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
    return reasons;
  }
}

export async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Events after `sinceMs`, as `+<ms> what` lines (the phases of a recovery). */
export function phasesSince(events: ReadonlyArray<TimedEvent>, sinceMs: number): string[] {
  return events.filter((e) => e.atMs >= sinceMs).map((e) => `+${Math.round(e.atMs - sinceMs)} ms ${e.what}`);
}

export function median(values: ReadonlyArray<number>): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
