// Shared fixtures of the cluster tests: worker processes (bin/ppipe worker), a quiet logger, polling waits.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { REPO_ROOT, SHARED_PROFILES } from '../planner/helpers.ts';

export { REPO_ROOT, SHARED_PROFILES };
export const TOKEN = 'test-cluster-token';

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

export function spawnWorker(brokerUrl: string, id: string, args: string[]): WorkerProcess {
  const child = spawn(path.join(REPO_ROOT, 'bin', 'ppipe'), ['worker', '--broker', brokerUrl, '--id', id, '--token', TOKEN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
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

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
