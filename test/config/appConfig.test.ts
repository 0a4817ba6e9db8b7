// The configuration schema: config/default.yaml is valid, bad files report every error with its field.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadAppConfig } from '../../src/config/index.ts';
import { REPO_ROOT } from '../planner/helpers.ts';

describe('appConfig', () => {
  it('config/default.yaml is valid and plans G2 on 25 L4 + 75 T4 at 10 Gbit/s', () => {
    const config = loadAppConfig(path.join(REPO_ROOT, 'config', 'default.yaml'));
    assert.deepEqual(config.planner!.problem.gpus.map((g) => [g.type, g.count]), [['L4', 25], ['T4', 75]]);
    assert.equal(config.planner!.problem.bandwidthGbps, 10);
    assert.deepEqual(config.planner!.problem.dnns.map((d) => d.name), ['colorization-v2', 'googlenet-v3-pytorch', 'repvgg-b3']);
  });

  it('reports unknown keys and wrong types all at once, with the file named', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ppipe-config-')), 'bad.yaml');
    writeFileSync(file, 'version: 1\nplanner:\n  timeLimitS: -3\n  problem: { profiles: x, bandwidthGbps: ten, gpus: [], dnns: [] }\ncolour: blue\n');
    assert.throws(() => loadAppConfig(file), (e: unknown) => {
      const message = (e as Error).message;
      return e instanceof ConfigError && message.startsWith(file) && /planner\.timeLimitS/.test(message) && /planner\.problem\.bandwidthGbps/.test(message) && /colour/.test(message);
    });
    writeFileSync(file, 'planner: [unclosed\n');
    assert.throws(() => loadAppConfig(file), /expected YAML/);
  });
});
