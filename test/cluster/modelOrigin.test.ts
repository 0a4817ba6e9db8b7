// A worker fetches models from the model server it was given (--model-origin) and from nowhere else: an
// assignment naming another server — which anyone on a broker without ACLs could plant — is refused with a
// logged reason, and that server never sees a request, let alone the cluster token. A real `ppipe worker`
// process, a real broker and a real HTTP server that records what reaches it.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import { Bus, EmbeddedBroker, ModelServer } from '../../src/cluster/index.ts';
import type { Assignment } from '../../src/cluster/index.ts';
import { BROKER_ACCOUNT, TOKEN, memoryLogger, spawnWorker } from './support.ts';
import { waitFor } from '../helpers.ts';

const SHA = 'a'.repeat(64);

function assignmentFrom(url: string): Assignment {
  return {
    planId: 'p1',
    nodeId: 'w1',
    linkDtype: 'float32',
    bandwidthGbps: null,
    partitions: [
      {
        key: 'm/0/0',
        dnn: 'm',
        pipeline: 0,
        partition: 0,
        partitionCount: 1,
        blocks: [0, 1],
        deviceClass: 'cpu-1t',
        mpsShare: 1,
        instances: [0],
        batchSize: 1,
        inferUs: 1000,
        model: { sha256: SHA, url, bytes: 10 },
        inputs: [],
        link: [],
        linkBytesPerSample: 0,
        profiles: null,
        profileModel: null,
      },
    ],
  };
}

it('a worker refuses an assignment whose model is on a foreign server and sends that server nothing', async () => {
  const authorizations: Array<string | undefined> = [];
  const foreign = http.createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', () => resolve()));
  const foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/models/${SHA}`;
  const models = new ModelServer({ token: TOKEN });
  await models.start();
  const broker = new EmbeddedBroker({ accounts: [BROKER_ACCOUNT] });
  await broker.start();
  const { log } = memoryLogger();
  const head = new Bus({ url: broker.url, prefix: 'ppipe', clientId: 'head', ...BROKER_ACCOUNT }, log);
  const worker = spawnWorker(broker.url, 'w1', ['--device-class', 'cpu-1t', '--model-origin', models.baseUrl]);
  try {
    await head.start();
    let up = false;
    await head.subscribe('available', (value, id) => void (up = up || (id === 'w1' && value === 'online')));
    await waitFor('the worker online', () => up || worker.child.exitCode !== null, 30_000);
    assert.equal(worker.child.exitCode, null, worker.stderr);

    await head.publish('assignment', assignmentFrom(foreignUrl), 'w1', true);
    await waitFor('the refusal logged', () => worker.stderr.includes('assignment failed'), 20_000);
    assert.match(worker.stderr, /is not on the model server http:\/\/127\.0\.0\.1:\d+ this worker was given/);
    assert.match(worker.stderr, /the cluster token was not sent/);
    assert.deepEqual(authorizations, [], 'the foreign server got no request');
  } finally {
    await worker.stop();
    await head.stop();
    await broker.stop();
    await models.stop();
    await new Promise<void>((resolve) => foreign.close(() => resolve()));
  }
});

it('ppipe worker without --model-origin says it needs one (unless emulated)', async () => {
  const worker = spawnWorker('mqtt://127.0.0.1:1', 'w2', ['--device-class', 'cpu-1t']);
  assert.equal(await worker.exited, 2);
  assert.match(worker.stderr, /--model-origin URL \(the head's model server\) is required/);
});
