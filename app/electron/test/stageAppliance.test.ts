/**
 * The files staged for the packages are enough to run the appliance: a staged copy (with the repository's
 * node_modules linked in, instead of the production install `npm run stage` makes) starts, and its demo
 * camera, which reads the staged media, comes online.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { applianceLaunch } from '../src/applianceLaunch.js';
import { ApplianceProcess, ApplianceStartError } from '../src/applianceProcess.js';
import { copyApplianceFiles, withoutPrepare } from '../scripts/stageAppliance.js';
import { REPO_ROOT } from './support.js';

describe('stageAppliance', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ppipe-stage-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('copies the runtime files of the repository, not its tests or benchmarks', () => {
    const dest = path.join(scratch, 'files');
    assert.ok(copyApplianceFiles(REPO_ROOT, dest) > 0);
    const runtime = ['bin/ppipe', 'src/cli.ts', 'config/default.yaml', 'models/centernet/centernet.json'];
    for (const file of [...runtime, 'media/demo/street.mp4', 'package-lock.json']) {
      assert.ok(existsSync(path.join(dest, file)), `${file} is staged`);
    }
    for (const folder of ['test', 'bench', 'tools', 'node_modules', 'app']) {
      assert.equal(existsSync(path.join(dest, folder)), false, `${folder} is not staged`);
    }
  });

  it('refuses a folder that is not the appliance’s repository', () => {
    const other = path.join(scratch, 'other');
    mkdirSync(other);
    assert.throws(() => copyApplianceFiles(other, path.join(scratch, 'nothing')), /not a git repository|not tracked/);
  });

  it('drops only the prepare script from the staged package.json', () => {
    const manifest = JSON.parse(
      withoutPrepare(JSON.stringify({ name: 'x', scripts: { prepare: 'npm run build:ui', start: 'bin/ppipe start' } })),
    ) as unknown;
    assert.deepEqual(manifest, { name: 'x', scripts: { start: 'bin/ppipe start' } });
  });

  it('a staged copy starts and its demo camera comes online', async () => {
    const dest = path.join(scratch, 'appliance');
    copyApplianceFiles(REPO_ROOT, dest);
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dest, 'node_modules'));
    const dataDir = path.join(scratch, 'data');
    const launch = applianceLaunch({ root: dest, nodeBinary: process.execPath }, dataDir, process.env);
    const appliance = await ApplianceProcess.start(launch, { listenTimeoutMs: 60_000, stopGraceMs: 15_000 }).catch(
      (error: unknown) => {
        const lines = error instanceof ApplianceStartError ? error.lastLines : [];
        throw new Error(`${String(error)}; its last lines:\n${lines.join('\n')}`);
      },
    );
    const log = (): string => appliance.lastLines().join('\n');
    let endedAs: string | undefined;
    void appliance.ended.then((end) => (endedAs = `ended (${end.signal ?? `code ${String(end.code)}`})`));
    try {
      let status = '';
      const deadline = Date.now() + 30_000;
      while (status !== 'online' && Date.now() < deadline) {
        // A poll may meet a keep-alive socket the appliance closed while its first start was busy (converting and
        // measuring CenterNet hold its event loop for seconds): asked again, unless the appliance has ended.
        const response = await fetch(new URL('/api/cameras', appliance.url)).catch((error: unknown) => {
          if (endedAs === undefined) return undefined;
          throw new Error(`GET /api/cameras: ${String(error)}; the appliance ${endedAs}; its last lines:\n${log()}`, {
            cause: error,
          });
        });
        if (response !== undefined) {
          const { items } = (await response.json()) as { items: { id: string; status: string }[] };
          status = items.find((camera) => camera.id === 'demo')?.status ?? 'absent';
        }
        if (status !== 'online') await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(status, 'online', `the demo camera: ${status}; log:\n${log()}`);
    } finally {
      await appliance.stop(15_000);
    }
  });
});
