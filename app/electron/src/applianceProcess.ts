/**
 * The appliance as a child process of the desktop app: started with `bin/ppipe start`, ready once it prints
 * `listening on http://…`, stopped with SIGTERM and, after a grace period, SIGKILL. Needs no Electron, so it is
 * tested under plain Node with real processes.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';

/** What to run: a command with its arguments, working folder and environment. */
export interface ApplianceLaunch {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export interface StartOptions {
  /** How long the appliance may take to print its `listening on` line. */
  readonly listenTimeoutMs: number;
  /** How long a stop (here: after a start that timed out) waits after SIGTERM before SIGKILL. */
  readonly stopGraceMs: number;
  /** How many of the latest output lines to keep for an error report. */
  readonly keptLines?: number;
  /** Cancels a start under way (the app quits): the appliance is stopped, then the start rejects. */
  readonly signal?: AbortSignal;
}

/** How the process ended: its exit code, or the signal that ended it. */
export interface ProcessEnd {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * The appliance could not start: why, the last lines it printed (stdout and stderr, in arrival order), and how
 * its process ended (none when it could not be spawned).
 */
export class ApplianceStartError extends Error {
  constructor(
    message: string,
    readonly lastLines: readonly string[],
    readonly end: ProcessEnd | undefined,
  ) {
    super(message);
    this.name = 'ApplianceStartError';
  }
}

const DEFAULT_KEPT_LINES = 40;
/** The line `ppipe start` prints on stdout once its HTTP server listens. */
const LISTENING_LINE = /^listening on (http:\/\/\S+)$/;

/** The URL of a `listening on …` line, or undefined for any other line. */
export function listeningUrlOf(line: string): string | undefined {
  const match = LISTENING_LINE.exec(line.trim());
  if (!match?.[1]) return undefined;
  try {
    return new URL(match[1]).href;
  } catch {
    return undefined;
  }
}

export function describeEnd(end: ProcessEnd): string {
  return end.signal ? `was ended by ${end.signal}` : `exited with code ${String(end.code)}`;
}

/** The latest lines of a process's output; a line split across chunks is joined before it is kept. */
class OutputTail {
  private readonly lines: string[] = [];
  private readonly partial = new Map<string, string>();

  constructor(private readonly limit: number) {}

  /** Adds a chunk of one stream and returns the complete lines it finished. */
  add(stream: string, chunk: string): string[] {
    const text = (this.partial.get(stream) ?? '') + chunk;
    const pieces = text.split('\n');
    this.partial.set(stream, pieces.pop() ?? '');
    const complete = pieces.map((piece) => piece.replace(/\r$/, ''));
    for (const line of complete) this.keep(line);
    return complete;
  }

  /** Everything kept, with the unfinished last line of each stream. */
  snapshot(): string[] {
    const unfinished = [...this.partial.values()].filter((line) => line !== '');
    return [...this.lines, ...unfinished].slice(-this.limit);
  }

  private keep(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.shift();
  }
}

export class ApplianceProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly tail: OutputTail,
    /** The UI's URL, from the `listening on` line. */
    readonly url: string,
    /** Settles when the process has ended, for whatever reason. */
    readonly ended: Promise<ProcessEnd>,
  ) {}

  /**
   * Starts the appliance and resolves once it listens. Rejects with an ApplianceStartError when it cannot be
   * spawned, ends before it listens, or stays silent past the timeout (then it is stopped first).
   */
  static start(launch: ApplianceLaunch, options: StartOptions): Promise<ApplianceProcess> {
    const tail = new OutputTail(options.keptLines ?? DEFAULT_KEPT_LINES);
    const child = spawn(launch.command, [...launch.args], {
      cwd: launch.cwd,
      env: launch.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ended = new Promise<ProcessEnd>((resolve) => {
      // 'close' waits for the output streams to drain, so the last lines are in the tail when it fires.
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    return new Promise<ApplianceProcess>((resolve, reject) => {
      let settled = false;
      const fail = (message: string, end?: ProcessEnd): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new ApplianceStartError(message, tail.snapshot(), end));
      };
      const stopThenFail = (message: string): void => {
        if (settled) return;
        // Settled now, so that a late `listening on` during the stop cannot hand out a dying process.
        settled = true;
        clearTimeout(timer);
        void stopChild(child, ended, options.stopGraceMs).then((end) =>
          reject(new ApplianceStartError(message, tail.snapshot(), end)),
        );
      };
      const timer = setTimeout(
        () => stopThenFail(`the appliance did not print "listening on" within ${options.listenTimeoutMs} ms`),
        options.listenTimeoutMs,
      );
      const cancel = (): void => stopThenFail('the start of the appliance was cancelled');
      if (options.signal?.aborted) cancel();
      options.signal?.addEventListener('abort', cancel, { once: true });
      void ended.then(() => options.signal?.removeEventListener('abort', cancel));
      child.once('error', (error) => fail(`the appliance could not be started (${launch.command}): ${error.message}`));
      void ended.then((end) => fail(`the appliance ${describeEnd(end)} before it listened`, end));
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => tail.add('stderr', chunk));
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        for (const line of tail.add('stdout', chunk)) {
          const url = listeningUrlOf(line);
          if (url === undefined || settled) continue;
          settled = true;
          clearTimeout(timer);
          resolve(new ApplianceProcess(child, tail, url, ended));
        }
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The latest lines the appliance printed, for an error report. */
  lastLines(): string[] {
    return this.tail.snapshot();
  }

  /** Sends SIGTERM, then SIGKILL if it still runs after graceMs; resolves with how it ended. */
  stop(graceMs: number): Promise<ProcessEnd> {
    return stopChild(this.child, this.ended, graceMs);
  }
}

async function stopChild(child: ChildProcess, ended: Promise<ProcessEnd>, graceMs: number): Promise<ProcessEnd> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return ended;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await ended;
  } finally {
    clearTimeout(timer);
  }
}
