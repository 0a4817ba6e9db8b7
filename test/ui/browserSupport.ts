// What the browser tests share: one appliance per suite (in-process, on a temporary folder with its own
// config, a free loopback port), one headless Chromium per file (tools/uiHarness.ts), and JSON over HTTP.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { Appliance } from '../../src/appliance.ts';
import { browserMissing, launchBrowser } from '../../tools/uiHarness.ts';

/** Why this suite cannot run here (printed once), or undefined when it can. */
export function skipReasonFor(suite: string): string | undefined {
  const reason = browserMissing();
  if (reason !== undefined) console.log(`skipping the ${suite} browser tests: ${reason}`);
  return reason;
}

export interface SuiteAppliance {
  readonly appliance: Appliance;
  /** The folder of the config and the data (removed after the suite). */
  readonly dir: string;
  /** The file changes through the API are written to. */
  readonly configFile: string;
  baseUrl(): string;
  json<T>(route: string, init?: RequestInit): Promise<T>;
}

/**
 * An appliance started before the suite's tests (unless the suite is skipped) and stopped, its folder removed,
 * after them. `configYaml` is the whole config; the data folder is the suite's own.
 */
export function applianceDuringSuite(
  prefix: string,
  configYaml: string,
  skipReason: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SuiteAppliance {
  const dir = mkdtempSync(path.join(tmpdir(), `ppipe-ui-${prefix}-`));
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir);
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(configFile, configYaml);
  const appliance = new Appliance({ configFile, dataDir, port: 0, env, logger: pino({ level: 'silent' }) });
  before(async () => {
    if (skipReason === undefined) await appliance.start();
  });
  after(async () => {
    if (skipReason === undefined) await appliance.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const baseUrl = (): string => `http://127.0.0.1:${appliance.port}`;
  const json = async <T>(route: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(baseUrl() + route, init);
    const text = await response.text();
    if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${route}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return { appliance, dir, configFile, baseUrl, json };
}

/** One Chromium for the suite (launched before its tests unless skipped, closed after them). */
export function browserDuringSuite(skipReason: string | undefined): { newPage(): Promise<Page> } {
  let browser: Browser | undefined;
  before(async () => {
    if (skipReason === undefined) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  return {
    newPage: async () => {
      if (!browser) throw new Error('Chromium was not launched');
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
      return context.newPage();
    },
  };
}
