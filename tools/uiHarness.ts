// What the browser tests, the screenshots and the UI benchmark share: the appliance started as a user starts
// it (`bin/ppipe start` in a child process, a temporary data folder, a free loopback port), and Debian's
// Chromium driven headless by playwright-core.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Chromium's binary: PPIPE_CHROMIUM, else Debian's. */
export function chromiumPath(): string {
  return process.env['PPIPE_CHROMIUM'] ?? '/usr/bin/chromium';
}

/** Why the browser cannot run here (undefined when it can): tests skip with this reason. */
export function browserMissing(): string | undefined {
  const executable = chromiumPath();
  if (!existsSync(executable))
    return `Chromium not found at ${executable} (apt-get install chromium, or set PPIPE_CHROMIUM)`;
  if (!existsSync(path.join(REPO_ROOT, 'app/ui/dist/index.html'))) return 'the web UI is not built (npm run build:ui)';
  return undefined;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface RunningAppliance {
  readonly url: string;
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** What the appliance printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; removes the data folder unless it was given. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** YAML written to DATA_DIR/config.yaml before the start (default: the shipped defaults). */
  configYaml?: string;
  /** An existing data folder, kept on stop. */
  dataDir?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Starts `bin/ppipe start` on a free port and resolves once it prints `listening on <url>`. */
export async function startAppliance(options: StartOptions = {}): Promise<RunningAppliance> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'ppipe-ui-'));
  if (options.configYaml !== undefined) writeFileSync(path.join(dataDir, 'config.yaml'), options.configYaml);
  const child = spawn(path.join(REPO_ROOT, 'bin/ppipe'), ['start'], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`the appliance did not print "listening on" within ${options.timeoutMs ?? 60_000} ms:\n${output}`),
        ),
      options.timeoutMs ?? 60_000,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the appliance exited (${signal ?? code}) before listening:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url, dataDir, process: child, output: () => output, stop };
}
