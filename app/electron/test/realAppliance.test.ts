/**
 * The desktop app's start of the real appliance: bin/ppipe start of this repository (root install needed) with
 * a temporary data folder, on the Node.js running the tests (the one that built the root's node_modules).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { applianceLaunch } from '../src/applianceLaunch.js';
import { ApplianceProcess, ApplianceStartError } from '../src/applianceProcess.js';
import { APPLIANCE_CSP } from '../src/cspPolicy.js';
import { REPO_ROOT, processExists } from './support.js';

/** Processes whose command line names this folder (the appliance's local workers take their cache there). */
function processesNaming(folder: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(folder)) pids.push(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return pids;
}

describe('the real appliance', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-desktop-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on a free loopback port with its data in the given folder, serves with the CSP, and stops', async () => {
    assert.ok(
      existsSync(path.join(REPO_ROOT, 'node_modules', 'tsx')),
      `the appliance's dependencies are not installed: run npm ci in ${REPO_ROOT} first`,
    );
    const launch = applianceLaunch({ root: REPO_ROOT, nodeBinary: process.execPath }, dataDir, process.env);
    assert.equal(launch.env.PATH?.split(path.delimiter)[0], path.dirname(process.execPath));
    const appliance = await ApplianceProcess.start(launch, { listenTimeoutMs: 60_000, stopGraceMs: 15_000 }).catch(
      (error: unknown) => {
        const lines = error instanceof ApplianceStartError ? error.lastLines : [];
        throw new Error(`${String(error)}; its last lines:\n${lines.join('\n')}`);
      },
    );
    let stopped = false;
    try {
      const url = new URL(appliance.url);
      assert.equal(url.hostname, '127.0.0.1');
      assert.notEqual(url.port, '8080', 'PORT=0 lets the kernel pick the port');
      const page = await fetch(appliance.url);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('content-security-policy'), APPLIANCE_CSP, 'cspPolicy.ts matches the appliance');
      const settings = appliance.lastLines().find((line) => line.startsWith('settings: '));
      assert.equal(settings?.endsWith(`data: ${dataDir}`), true, `the data folder in ${settings}`);
      assert.ok(readdirSync(dataDir).length > 0, 'the appliance wrote into its data folder');
      const end = await appliance.stop(15_000);
      stopped = true;
      assert.notEqual(end.signal, 'SIGKILL', `the appliance stopped on SIGTERM (${JSON.stringify(end)})`);
      assert.equal(processExists(appliance.pid!), false);
      // Its local workers stop when their stdin closes; give them a moment, then none may be left.
      const deadline = Date.now() + 10_000;
      while (processesNaming(dataDir).length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(processesNaming(dataDir), [], 'no process of the appliance outlives it');
    } finally {
      if (!stopped) await appliance.stop(1_000);
    }
  });
});
