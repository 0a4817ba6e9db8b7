// The floors of DESIGN.md: lower rooms never import higher ones, other rooms reach a room only through its
// index.ts, the cluster's sub-folders keep their order, and a few npm packages stay in the rooms that own them.
// The check is an ESLint rule at the import (tools/eslint/layering.js, run by `npm run lint`); these tests run
// it on small snippets, so that each kind of violation is shown to be reported and allowed imports are not.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import layering, { ROOMS } from '../tools/eslint/layering.js';
import { REPO_ROOT } from './planner/helpers.ts';

const SRC = path.join(REPO_ROOT, 'src');
/** A repository that exists only in these tests: the rule reads file names, never files. */
const ROOT = '/repo';

function lint(file: string, code: string): Linter.LintMessage[] {
  const linter = new Linter({ cwd: ROOT });
  const config: Linter.Config[] = [
    {
      files: ['**/*.ts', '**/*.mjs'],
      languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
      plugins: { ppipe: layering },
      rules: { 'ppipe/layering': ['error', { srcDir: path.join(ROOT, 'src') }] },
    },
  ];
  const messages = linter.verify(code, config, { filename: path.join(ROOT, file) });
  const fatal = messages.find((m) => m.fatal);
  assert.equal(fatal, undefined, fatal?.message);
  return messages;
}

/** The messages of the layering rule for `code` in `file` (a path under src/). */
function reports(file: string, code: string): string[] {
  return lint(file, code).map((m) => {
    assert.equal(m.ruleId, 'ppipe/layering');
    return m.message;
  });
}

function assertReported(file: string, code: string, pattern: RegExp): void {
  const found = reports(file, code);
  assert.equal(found.length, 1, `${file}: ${code} → ${JSON.stringify(found)}`);
  assert.match(found[0]!, pattern);
}

describe('the layering rule', () => {
  it('lets rooms import lower rooms through their index.ts, and themselves freely', () => {
    const allowed: Array<[string, string]> = [
      ['src/planner/planner.ts', "import { x } from '../config/index.ts';"],
      ['src/planner/planner.ts', "import { x } from './problem.ts';"],
      ['src/sim/reproduce.ts', "import type { X } from '../pipeline/index.ts';"],
      ['src/server/httpServer.ts', "export { x } from '../cluster/index.ts';"],
      ['src/server/httpServer.ts', "const m = await import('../store/index.ts');"],
      ['src/detect/yolo.ts', "import { x } from '../models/index.ts';"],
      ['src/cluster/head/clusterHead.ts', "import { x } from '../../detect/index.ts';"],
      ['src/cli.ts', "import { x } from './commands/index.ts';"],
      ['src/cli.ts', "import { x } from './appliance.ts';"],
      ['src/appliance.ts', "import { x } from './server/index.ts';"],
      ['src/commands/start.ts', "import { x } from '../appliance.ts';"],
      ['src/commands/start.ts', "export * from '../sim/index.ts';"],
      ['src/sim/sweepWorker.mjs', "const { run } = await import('./sweepTask.ts');"],
    ];
    for (const [file, code] of allowed) assert.deepEqual(reports(file, code), [], `${file}: ${code}`);
  });

  it('reports a room importing a higher or unrelated room, naming the allowed set', () => {
    assertReported(
      'src/planner/planner.ts',
      "import { x } from '../pipeline/index.ts';",
      /^layering: src\/planner may import only config;/,
    );
    assertReported(
      'src/config/appConfig.ts',
      "import { x } from '../planner/index.ts';",
      /src\/config may import only nothing of ours/,
    );
    assertReported(
      'src/sim/reproduce.ts',
      "import { x } from '../config/index.ts';",
      /src\/sim may import only pipeline, planner;/,
    );
    assertReported(
      'src/models/onnxModel.ts',
      "import { x } from '../detect/index.ts';",
      /'\.\.\/detect\/index\.ts' is in src\/detect\//,
    );
    assertReported(
      'src/cluster/node/worker.ts',
      "import { x } from '../../server/index.ts';",
      /src\/cluster may import only pipeline, models, detect, planner, config;/,
    );
    assertReported(
      'src/server/httpServer.ts',
      "import { x } from '../commands/index.ts';",
      /src\/server may import only sim, cluster,/,
    );
    assertReported('src/store/detectionStore.ts', "import { x } from '../appliance.ts';", /is in the top floor/);
  });

  it('reports static imports, type imports, export-from, export-all and dynamic imports alike', () => {
    const forms = [
      "import { x } from '../server/index.ts';",
      "import type { X } from '../server/index.ts';",
      "import '../server/index.ts';",
      "export { x } from '../server/index.ts';",
      "export * from '../server/index.ts';",
      "export type { X } from '../server/index.ts';",
      "const m = await import('../server/index.ts');",
      'const m = await import(`../server/index.ts`);',
    ];
    for (const code of forms) {
      assertReported('src/ingest/camera.ts', code, /^layering: src\/ingest may import only config;/);
    }
  });

  it("reports another room's inner file, from any floor", () => {
    assertReported(
      'src/sim/reproduce.ts',
      "import { x } from '../planner/planner.ts';",
      /import src\/planner\/index\.ts, the room's public face/,
    );
    assertReported(
      'src/server/httpServer.ts',
      "import { x } from '../cluster/head/clusterHead.ts';",
      /src\/cluster\/index\.ts/,
    );
    assertReported('src/cli.ts', "import { x } from './commands/plan.ts';", /src\/commands\/index\.ts/);
    assertReported('src/commands/start.ts', "const m = await import('../sim/reproduce.ts');", /src\/sim\/index\.ts/);
  });

  it('keeps the order of the cluster: control and data below node, node below head', () => {
    const allowed: Array<[string, string]> = [
      ['src/cluster/control/bus.ts', "import { x } from '../data/tlsErrors.ts';"],
      ['src/cluster/data/frontend.ts', "import { x } from '../control/messages.ts';"],
      ['src/cluster/node/worker.ts', "import { x } from '../control/bus.ts';"],
      ['src/cluster/node/worker.ts', "import { x } from '../data/tensorLink.ts';"],
      ['src/cluster/head/clusterHead.ts', "import { x } from '../node/localWorkers.ts';"],
      ['src/cluster/head/clusterHead.ts', "import { x } from '../control/controller.ts';"],
      ['src/cluster/index.ts', "export { x } from './head/clusterHead.ts';"],
    ];
    for (const [file, code] of allowed) assert.deepEqual(reports(file, code), [], `${file}: ${code}`);
    assertReported(
      'src/cluster/control/controller.ts',
      "import { x } from '../head/clusterHead.ts';",
      /^layering: src\/cluster\/control\/ may import only the cluster's data;/,
    );
    assertReported(
      'src/cluster/control/controller.ts',
      "import { x } from '../node/worker.ts';",
      /'\.\.\/node\/worker\.ts' is in node\//,
    );
    assertReported(
      'src/cluster/data/frontend.ts',
      "import { x } from '../head/eventPublisher.ts';",
      /cluster\/data\/ may import only the cluster's control;/,
    );
    assertReported('src/cluster/data/frontend.ts', "export * from '../node/worker.ts';", /cluster\/data\//);
    assertReported(
      'src/cluster/node/worker.ts',
      "import { x } from '../head/clusterHead.ts';",
      /cluster\/node\/ may import only the cluster's control, data;/,
    );
    assertReported('src/cluster/control/bus.ts', "import { x } from '../index.ts';", /is in index\.ts/);
  });

  it('keeps owned packages in their rooms, with or without the node: prefix', () => {
    const allowed: Array<[string, string]> = [
      ['src/models/ortSupport.ts', "import ort from 'onnxruntime-node';"],
      ['src/detect/localDetector.ts', "import type { InferenceSession } from 'onnxruntime-node';"],
      ['src/store/detectionStore.ts', "import Database from 'better-sqlite3';"],
      ['src/planner/highsWorker.mjs', "import highs from 'highs';"],
      ['src/cluster/control/broker.ts', "import { Aedes } from 'aedes';"],
      ['src/cluster/control/bus.ts', "import mqtt from 'mqtt';"],
      ['src/cluster/data/tensorLink.ts', "import { WebSocket } from 'ws';"],
      ['src/server/liveFeed.ts', "import { WebSocketServer } from 'ws';"],
      ['src/ingest/camera.ts', "import { spawn } from 'node:child_process';"],
      ['src/cluster/node/localWorkers.ts', "import { spawn } from 'child_process';"],
      ['src/commands/worker.ts', "import { spawn } from 'node:child_process';"],
      ['src/cli.ts', "import { spawn } from 'node:child_process';"],
      ['src/sim/reproduce.ts', "import { readFileSync } from 'node:fs';"],
      ['src/server/metrics.ts', "import client from 'prom-client';"],
    ];
    for (const [file, code] of allowed) assert.deepEqual(reports(file, code), [], `${file}: ${code}`);
    const owned = /^layering: '.+' may be used only in /;
    assertReported('src/sim/sweepPool.ts', "import { spawn } from 'child_process';", owned);
    assertReported(
      'src/server/httpServer.ts',
      "import { spawn } from 'node:child_process';",
      /only in ingest, cluster, commands, the top floor/,
    );
    assertReported('src/planner/planner.ts', "import { execFile } from 'node:child_process';", owned);
    assertReported(
      'src/store/detectionStore.ts',
      "import ort from 'onnxruntime-node';",
      /'onnxruntime-node' may be used only in models, detect, not in src\/store/,
    );
    assertReported('src/pipeline/scheduler.ts', "import x from 'onnxruntime-node/dist/index.js';", owned);
    assertReported('src/server/httpServer.ts', "import Database from 'better-sqlite3';", /only in store,/);
    assertReported('src/sim/reproduce.ts', "const h = await import('highs');", /only in planner,/);
    assertReported('src/server/httpServer.ts', "import mqtt from 'mqtt';", /only in cluster,/);
    assertReported('src/store/detectionStore.ts', "import { Aedes } from 'aedes';", /only in cluster,/);
    assertReported('src/pipeline/scheduler.ts', "import type { WebSocket } from 'ws';", /only in cluster, server,/);
    assertReported(
      'src/appliance.ts',
      "import Database from 'better-sqlite3';",
      /only in store, not in src\/appliance\.ts/,
    );
  });

  it('leaves files outside src/ alone', () => {
    const code = "import { x } from '../src/planner/planner.ts'; import Database from 'better-sqlite3';";
    assert.deepEqual(reports('test/planner/x.test.ts', code), []);
    assert.deepEqual(reports('bench/planner.ts', code), []);
  });

  it('is on for every file under src/ in eslint.config.js (so `npm run lint` checks the real tree)', async () => {
    const eslint = new ESLint({ cwd: REPO_ROOT });
    const files = ['src/cli.ts', 'src/sim/reproduce.ts', 'src/cluster/node/worker.ts', 'src/sim/sweepWorker.mjs'];
    for (const file of files) {
      const config = (await eslint.calculateConfigForFile(path.join(REPO_ROOT, file))) as Linter.Config;
      const setting = config.rules?.['ppipe/layering'];
      assert.ok(Array.isArray(setting), file);
      assert.ok(setting[0] === 2 || setting[0] === 'error', file);
      assert.deepEqual(setting[1], { srcDir: SRC }, file);
    }
  });
});

it('every room is a room of DESIGN.md, with an index.ts that opens with a comment on its purpose', () => {
  for (const room of readdirSync(SRC).filter((name) => statSync(path.join(SRC, name)).isDirectory())) {
    const index = path.join(SRC, room, 'index.ts');
    assert.ok(ROOMS[room], `${room} is not a room of DESIGN.md (tools/eslint/layering.js)`);
    assert.match(readFileSync(index, 'utf8'), /^\/\/ |^\/\*\*/, `${room}/index.ts needs a purpose comment`);
  }
});
