// `ppipe start` and `ppipe serve` as real processes through bin/ppipe: help, and the failures that come
// before anything is served.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { ModelConfig } from '../../src/config/index.ts';
import { describeStart } from '../../src/commands/start.ts';
import { MODEL } from '../applianceSupport.ts';
import { ppipe } from './support.ts';

describe('ppipe start', () => {
  it('--help', async () => {
    const help = await ppipe(['start', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: ppipe start/);
  });

  it('a configuration that does not load is named once and exits 1', async () => {
    const bad = path.join(mkdtempSync(path.join(tmpdir(), 'ppipe-start-')), 'bad.yaml');
    writeFileSync(bad, 'server: [not, a, section\n');
    const result = await ppipe(['start', '--config', bad]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.split(bad).length - 1, 1, result.stderr);
    assert.match(result.stderr, /^ppipe start: .*bad\.yaml: expected YAML/);
  });

  /** A config of one model and a cluster section (which profiles this machine on a first start), no cameras. */
  const clusterConfig = (modelPath: string): string => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ppipe-start-')), 'config.yaml');
    writeFileSync(
      file,
      `version: 1
models:
  - { id: blazeface, kind: blazeface, path: ${modelPath} }
cameras: []
cluster: { localWorkers: 1 }
store: { dataDir: data }
server: { port: 0 }
`,
    );
    return file;
  };

  it('a model file that is not there is named once, before anything is served or profiled', async () => {
    const missing = path.join(tmpdir(), 'ppipe-no-such-model.onnx');
    const config = clusterConfig(missing);
    const result = await ppipe(['start', '--config', config], { PORT: '0' });
    rmSync(path.dirname(config), { recursive: true, force: true });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stderr.split(missing).length - 1, 1, result.stderr);
    assert.match(result.stderr, /models\[0\]\.path: expected a readable ONNX file/);
    assert.doesNotMatch(result.stderr, /profiling/);
    assert.doesNotMatch(result.stdout, /listening on/);
  });

  it('a data folder that cannot keep profiles is reported once, before any profiling', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ppipe-start-data-'));
    writeFileSync(path.join(dataDir, 'profiles'), 'a file where the profiles folder should be');
    const config = clusterConfig(MODEL);
    const result = await ppipe(['start', '--config', config], { DATA_DIR: dataDir, PORT: '0' });
    rmSync(path.dirname(config), { recursive: true, force: true });
    assert.equal(result.code, 1, result.stderr);
    const profilesDir = path.join(dataDir, 'profiles');
    assert.equal(result.stderr.split(profilesDir).length - 1, 1, result.stderr);
    assert.match(result.stderr, /data folder: cannot keep profiles in/);
    assert.doesNotMatch(result.stderr, /profiling/, 'no model was measured');
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('what ppipe start prints once it runs', () => {
  it('names the cameras, models with their SLOs, the workers and the plan, or says detection runs in-process', () => {
    const camera = {
      id: 'door',
      name: 'Door',
      url: 'rtsp://cam/1',
      fps: 5,
      width: 640,
      height: 480,
      model: 'blazeface',
      enabled: true,
      status: 'online',
      measuredFps: 5,
      framesTotal: 0,
      skippedFramesTotal: 0,
      restartsTotal: 0,
      lastFrameAtMs: null,
      lastError: null,
      sourceWidth: 1280,
      sourceHeight: 720,
      sourceSizeNote: null,
      rtspTransport: 'auto',
      objects: { filters: {}, mask: [] as Array<Array<[number, number]>> },
      zones: {},
    } as const;
    const model = { id: 'blazeface', kind: 'blazeface', sloMs: 200 } as unknown as ModelConfig;
    const cluster = describeStart({ cameras: [camera], models: [model], workers: [], plan: null });
    assert.match(cluster, /door {2}rtsp:\/\/cam\/1 {2}5 fps, model blazeface/);
    assert.match(cluster, /blazeface {2}blazeface, SLO 200 ms/);
    assert.match(cluster, /workers \(0\):\nplan: none yet/);
    const local = describeStart({ cameras: [], models: [model], workers: undefined, plan: null });
    assert.match(local, /detection: in this process/);
  });
});
