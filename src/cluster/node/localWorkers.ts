/**
 * Local worker processes (`bin/ppipe worker`) supervised by the cluster head: spawned with argument arrays,
 * restarted with capped exponential backoff when one exits on its own, stopped (SIGTERM, then SIGKILL) with
 * the head. Secrets travel in the environment, never on the command line where `ps` shows them.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Logger } from '../../config/index.ts';
import { REPO_ROOT, backoffDelayMs } from '../../config/index.ts';

export const PPIPE_BIN = path.join(REPO_ROOT, 'bin', 'ppipe');

export interface LocalWorkerSpec {
  /** Node id (`--id`); a restarted process keeps it, so the controller sees the same node come back. */
  readonly id: string;
  /** Arguments after `--broker`, `--prefix` and `--id`: device class, device, emulation, … */
  readonly args: ReadonlyArray<string>;
  /** This worker's own variables besides the shared ones (its PPIPE_BROKER_PASSWORD on the embedded broker). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface SupervisorOptions {
  readonly brokerUrl: string;
  readonly prefix: string;
  /** Variables added to the worker's environment (PPIPE_CLUSTER_TOKEN, PPIPE_BROKER_PASSWORD). */
  readonly env: Readonly<Record<string, string>>;
  /** Copy the workers' stderr (pino lines) to ours; else only the tail of a crashed worker is logged. */
  readonly echoStderr?: boolean;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /**
   * A worker's process ended on its own (crash, kill): the head learns it from the process at once rather
   * than from the broker's will or a heartbeat timeout.
   */
  readonly onExit?: (id: string, reason: string) => void;
}

export interface LocalWorkerStats {
  readonly id: string;
  readonly pid: number | null;
  readonly restarts: number;
}

/** A run this long counts as healthy: the next failure starts the backoff again. */
const HEALTHY_RUN_MS = 30_000;
const STDERR_TAIL_CHARS = 2000;
const KILL_AFTER_MS = 5000;

class SupervisedWorker {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private failures = 0;
  private stderrTail = '';
  restarts = 0;

  constructor(
    readonly spec: LocalWorkerSpec,
    private readonly options: SupervisorOptions,
    private readonly log: Logger,
  ) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): void {
    const { options, spec } = this;
    const startedMs = performance.now();
    // stdin stays open for the worker's life: if this process dies without stopping it, the pipe closes
    // and the worker stops too (--stop-with-stdin) instead of living on as an orphan.
    const child = spawn(
      PPIPE_BIN,
      [
        'worker',
        '--broker',
        options.brokerUrl,
        '--prefix',
        options.prefix,
        '--id',
        spec.id,
        '--stop-with-stdin',
        ...spec.args,
      ],
      {
        stdio: ['pipe', 'ignore', 'pipe'],
        env: { ...process.env, ...options.env, ...spec.env },
      },
    );
    this.child = child;
    this.stderrTail = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      if (options.echoStderr) process.stderr.write(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
    this.exited = new Promise((resolve) => {
      child.once('error', (error) => this.log.error({ worker: spec.id, err: error }, 'worker process could not start'));
      child.once('close', (code, signal) => {
        resolve();
        if (this.stopping) return;
        options.onExit?.(spec.id, `process exited (${signal ?? `code ${code ?? '?'}`})`);
        this.failures = performance.now() - startedMs > HEALTHY_RUN_MS ? 1 : this.failures + 1;
        // The first failure in a row restarts at once (a crash, a kill: the node is wanted back now); the
        // next ones back off, so a worker that cannot start is not respawned in a tight loop.
        const delayMs =
          this.failures === 1
            ? 0
            : backoffDelayMs(this.failures - 1, options.backoffInitialMs ?? 500, options.backoffMaxMs ?? 30_000);
        this.log.warn(
          { worker: spec.id, code, signal, restartInMs: delayMs, stderrTail: this.stderrTail.slice(-500) },
          'worker process exited; restarting',
        );
        this.restartTimer = setTimeout(() => {
          this.restarts++;
          this.start();
        }, delayMs);
      });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    await this.exited;
    clearTimeout(killer);
  }

  /** Ends the process as a crash would (tests of the supervision). */
  kill(): boolean {
    return this.child?.kill('SIGKILL') ?? false;
  }
}

export class LocalWorkers {
  private readonly workers: SupervisedWorker[];

  constructor(specs: ReadonlyArray<LocalWorkerSpec>, options: SupervisorOptions, log: Logger) {
    this.workers = specs.map((spec) => new SupervisedWorker(spec, options, log));
  }

  start(): void {
    for (const worker of this.workers) worker.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop()));
  }

  stats(): LocalWorkerStats[] {
    return this.workers.map((w) => ({ id: w.spec.id, pid: w.pid, restarts: w.restarts }));
  }

  /** Kills one worker's process as a crash would; the supervisor restarts it. */
  kill(id: string): boolean {
    return this.workers.find((w) => w.spec.id === id)?.kill() ?? false;
  }
}
