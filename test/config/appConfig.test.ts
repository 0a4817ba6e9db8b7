// The configuration schema: config/default.yaml is valid, bad files report every error with its field.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ConfigError, loadAppConfig, parseAppConfig } from '../../src/config/index.ts';
import { parseProblem } from '../../src/planner/index.ts';
import { REPO_ROOT } from '../planner/helpers.ts';

describe('appConfig', () => {
  it('a model’s threshold defaults by kind: 0.3 for CenterNet, 0.75 for the others; a given one is kept', () => {
    const config = parseAppConfig('models.yaml', {
      models: [
        { id: 'coco', kind: 'centernet', path: 'centernet.onnx' },
        { id: 'faces', kind: 'blazeface', path: 'blazeface.onnx' },
        { id: 'yolo', kind: 'yolov8', path: 'yolo.onnx', threshold: 0.5 },
      ],
    });
    assert.deepEqual(
      config.models.map((m) => [m.id, m.threshold]),
      [
        ['coco', 0.3],
        ['faces', 0.75],
        ['yolo', 0.5],
      ],
    );
  });

  it('objects and zones parse with Frigate names; reserved ids, zones named like cameras, short polygons fail', () => {
    const camera = {
      url: 'lavfi:testsrc2',
      objects: { track: ['person', 'car'], filters: { person: { min_score: 0.4, min_area: 500 } } },
      zones: {
        driveway: {
          coordinates: [
            [0, 0],
            [100, 0],
            [100, 80],
          ],
        },
      },
    };
    const config = parseAppConfig('objects.yaml', { cameras: [{ id: 'porch', ...camera }] });
    assert.deepEqual(config.cameras[0]!.objects, {
      track: ['person', 'car'],
      filters: { person: { min_score: 0.4, min_area: 500, max_area: 24_000_000 } },
      mask: [],
    });
    assert.deepEqual(config.events, {
      retentionDays: 30,
      maxRows: 100_000,
      endAfterS: 5,
      stationaryAfterS: 10,
      snapshotQuality: 85,
    });
    assert.throws(
      () =>
        parseAppConfig('bad.yaml', {
          cameras: [
            { id: 'events', url: 'lavfi:testsrc2' },
            { id: 'driveway', url: 'lavfi:testsrc2' },
            {
              id: 'porch',
              ...camera,
              objects: {
                mask: [
                  [
                    [0, 0],
                    [1, 1],
                  ],
                ],
              },
            },
          ],
        }),
      (error: unknown) => {
        const message = (error as ConfigError).message;
        assert.match(message, /cameras\[0\]\.id: reserved for MQTT topics/);
        assert.match(message, /cameras\[2\]\.zones\.driveway: zone "driveway" has the id of a camera/);
        assert.match(message, /cameras\[2\]\.objects\.mask\[0\]: expected at least 3 points/);
        return true;
      },
    );
  });

  it('config/default.yaml is valid and names nothing outside the repository', () => {
    const file = path.join(REPO_ROOT, 'config', 'default.yaml');
    const config = loadAppConfig(file);
    const inside = (relative: string): boolean =>
      !path.relative(REPO_ROOT, path.resolve(path.dirname(file), relative)).startsWith('..');
    assert.deepEqual(
      config.cameras.map((c) => c.id),
      ['demo'],
    );
    assert.ok(inside(config.cameras[0]!.url.replace(/^image:/, '')), config.cameras[0]!.url);
    assert.ok(config.models.every((m) => inside(m.path)));
    assert.ok(inside(config.store.dataDir));
    assert.ok(config.cluster, 'detection runs on the cluster runtime by default');
  });

  it("examples/g2-l4-t4.yaml is the paper's G2 on 25 L4 + 75 T4 at 10 Gbit/s, as a planning problem", () => {
    const file = path.join(REPO_ROOT, 'examples', 'g2-l4-t4.yaml');
    const problem = parseProblem(file, parseYaml(readFileSync(file, 'utf8')));
    assert.deepEqual(
      problem.gpus.map((g) => [g.type, g.count]),
      [
        ['L4', 25],
        ['T4', 75],
      ],
    );
    assert.equal(problem.bandwidthGbps, 10);
    assert.deepEqual(
      problem.dnns.map((d) => d.name),
      ['colorization-v2', 'googlenet-v3-pytorch', 'repvgg-b3'],
    );
    assert.equal(problem.profiles, undefined, 'the artifact data comes from --profiles or PPIPE_ARTIFACT_DATA');
  });

  it('reports unknown keys and wrong types all at once, with the file named', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ppipe-config-')), 'bad.yaml');
    writeFileSync(file, 'version: 1\ningest:\n  stallTimeoutS: -3\nserver: { port: ten }\ncolour: blue\n');
    assert.throws(
      () => loadAppConfig(file),
      (e: unknown) => {
        const message = (e as Error).message;
        return (
          e instanceof ConfigError &&
          message.startsWith(file) &&
          /ingest\.stallTimeoutS/.test(message) &&
          /server\.port/.test(message) &&
          /colour/.test(message)
        );
      },
    );
    writeFileSync(file, 'ingest: [unclosed\n');
    assert.throws(() => loadAppConfig(file), /expected YAML/);
  });
});

describe('appConfig: appliance sections', () => {
  it('substitutes ${NAME} from the environment and exports a JSON Schema with every field described', async () => {
    const { appConfigJsonSchema, parseAppConfig } = await import('../../src/config/index.ts');
    const config = parseAppConfig(
      'x.yaml',
      { cameras: [{ id: 'door', url: 'rtsp://admin:${CAM_PASSWORD}@10.0.0.2/s1' }] },
      { CAM_PASSWORD: 'pw' },
    );
    assert.equal(config.cameras[0]!.url, 'rtsp://admin:pw@10.0.0.2/s1');
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.server.port, 8080);
    const undescribed: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (node === null || typeof node !== 'object') return;
      const n = node as { properties?: Record<string, { description?: string }>; items?: unknown; anyOf?: unknown[] };
      for (const [key, child] of Object.entries(n.properties ?? {})) {
        if (!child.description) undescribed.push(`${at}.${key}`);
        walk(child, `${at}.${key}`);
      }
      if (n.items) walk(n.items, `${at}[]`);
      for (const option of n.anyOf ?? []) walk(option, at);
    };
    walk(appConfigJsonSchema().properties as Record<string, unknown>, '');
    walk(appConfigJsonSchema(), '');
    assert.deepEqual(
      undescribed.filter((p) => !p.startsWith('.planner')),
      [],
    );
  });
});

describe('appConfig: cluster section', () => {
  it('config/default.yaml runs detection on the cluster: embedded broker, one local worker', () => {
    const config = loadAppConfig(path.join(REPO_ROOT, 'config', 'default.yaml'));
    assert.equal(config.cluster?.broker, 'embedded');
    assert.equal(config.cluster?.localWorkers, 1);
    assert.equal(config.cluster?.linkDtype, 'float32');
  });

  it('names every bad cluster field at once', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ppipe-config-')), 'cluster.yaml');
    writeFileSync(
      file,
      'cluster:\n  broker: tcp://host:1883\n  localWorkers: -1\n  token: short\n  algorithm: greedy\n  workers: 3\n',
    );
    assert.throws(
      () => loadAppConfig(file),
      (e: unknown) => {
        const message = (e as Error).message;
        return (
          e instanceof ConfigError &&
          message.startsWith(file) &&
          ['cluster.broker', 'cluster.localWorkers', 'cluster.token', 'cluster.algorithm', 'workers'].every((field) =>
            message.includes(field),
          )
        );
      },
    );
  });
});
