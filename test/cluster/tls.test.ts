// The WAN between edge and cloud: the embedded broker over mqtts:// with credentials, tensor links over
// wss:// with the cluster token, and a worker process that uses both. Certificates are made at test time
// (a throwaway CA); clients without that CA, or with wrong credentials, fail fast with errors saying why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  Bus,
  EmbeddedBroker,
  LinkPool,
  LinkServer,
  NicPacer,
  OutgoingLink,
  encodeFrame,
  packTensors,
  unpackTensors,
} from '../../src/cluster/index.ts';
import type { Announcement, FrameHeader } from '../../src/cluster/index.ts';
import type { TestCertificates } from './support.ts';
import { NO_MOSQUITTO, TOKEN, makeTestCertificates, memoryLogger, spawnWorker, startMosquitto } from './support.ts';
import { waitFor } from '../helpers.ts';

const USER = 'edge-site-1';
const PASSWORD = 'correct horse battery staple';

let certs: TestCertificates;
before(() => {
  certs = makeTestCertificates();
});
after(() => certs?.remove());

/** Resolves with how long `promise` took to reject, so a test can show that a refusal does not hang. */
async function rejectionMs(promise: Promise<unknown>, pattern: RegExp): Promise<number> {
  const started = performance.now();
  await assert.rejects(promise, pattern);
  return performance.now() - started;
}

describe('embedded broker over mqtts:// with credentials', () => {
  let broker: EmbeddedBroker;
  before(async () => {
    broker = new EmbeddedBroker({
      accounts: [{ username: USER, password: PASSWORD }],
      tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    });
    await broker.start();
  });
  after(async () => broker?.stop());

  it('serves a bus that trusts the CA and has the credentials', { timeout: 15_000 }, async () => {
    assert.match(broker.url, /^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const { log } = memoryLogger();
    const options = { url: broker.url, prefix: 'tls', username: USER, password: PASSWORD, caFile: certs.caFile };
    const node = new Bus({ ...options, clientId: 'node' }, log);
    const controller = new Bus({ ...options, clientId: 'controller' }, log);
    await node.start();
    await controller.start();
    try {
      const seen: string[] = [];
      await controller.subscribe('available', (value, param) => void seen.push(`${param ?? ''}:${value}`));
      await node.publish('available', 'online', 'n1');
      await waitFor('the message over mqtts://', () => seen.length === 1, 5000);
      assert.deepEqual(seen, ['n1:online']);
    } finally {
      await node.stop();
      await controller.stop();
    }
  });

  it('refuses a wrong password or none at all, at once and saying so', { timeout: 15_000 }, async () => {
    const { log } = memoryLogger();
    const base = { url: broker.url, prefix: 'tls', caFile: certs.caFile };
    const wrong = new Bus({ ...base, clientId: 'wrong', username: USER, password: 'guess' }, log);
    const ms = await rejectionMs(
      wrong.start(),
      /Connection refused: Not authorized \(the broker refused the username\/password/,
    );
    assert.ok(ms < 3000, `refused after ${ms.toFixed(0)} ms`);
    const anonymous = new Bus({ ...base, clientId: 'anonymous' }, log);
    await assert.rejects(anonymous.start(), /refused the username\/password/);
  });

  it('is not trusted by a client without the CA', { timeout: 15_000 }, async () => {
    const { log } = memoryLogger();
    const stranger = new Bus(
      { url: broker.url, prefix: 'tls', clientId: 'stranger', username: USER, password: PASSWORD },
      log,
    );
    const ms = await rejectionMs(
      stranger.start(),
      /TLS certificate not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE.*--broker-ca/,
    );
    assert.ok(ms < 3000, `refused after ${ms.toFixed(0)} ms`);
  });
});

it(
  'a bus reaches mosquitto over mqtts:// with a password file, and is refused with a wrong password',
  { timeout: 20_000 },
  async (t) => {
    if (NO_MOSQUITTO) {
      t.skip(NO_MOSQUITTO);
      return;
    }
    const mosquitto = await startMosquitto(
      (dir) => {
        const passwd = path.join(dir, 'passwd');
        const made = spawnSync('mosquitto_passwd', ['-b', '-c', passwd, USER, PASSWORD], {
          encoding: 'utf8',
          timeout: 10_000,
        });
        assert.equal(made.status, 0, `mosquitto_passwd failed: ${made.error?.message ?? made.stderr}`);
        // As root, mosquitto would drop to the `mosquitto` user, who cannot read the 0600 key in our 0700 folder.
        return [
          'user root',
          `certfile ${certs.certFile}`,
          `keyfile ${certs.keyFile}`,
          'allow_anonymous false',
          `password_file ${passwd}`,
        ];
      },
      { ca: readFileSync(certs.caFile), username: USER, password: PASSWORD },
    );
    const { log } = memoryLogger();
    const url = `mqtts://127.0.0.1:${mosquitto.port}`;
    const node = new Bus(
      { url, prefix: 'tls', clientId: 'node', username: USER, password: PASSWORD, caFile: certs.caFile },
      log,
    );
    try {
      await node.start();
      const seen: string[] = [];
      await node.subscribe('available', (value) => void seen.push(value));
      await node.publish('available', 'online', 'n1');
      await waitFor('the message through mosquitto', () => seen.length === 1, 5000);
      const wrong = new Bus(
        { url, prefix: 'tls', clientId: 'wrong', username: USER, password: 'guess', caFile: certs.caFile },
        log,
      );
      await assert.rejects(wrong.start(), /refused the username\/password/);
    } finally {
      await node.stop();
      await mosquitto.stop();
    }
  },
);

describe('tensor links over wss:// with the cluster token', () => {
  let server: LinkServer;
  const received: Array<{ header: FrameHeader; payload: Buffer }> = [];
  const { log, lines } = memoryLogger();
  before(async () => {
    server = new LinkServer(
      { token: TOKEN, tls: { certFile: certs.certFile, keyFile: certs.keyFile } },
      (header, payload) => void received.push({ header, payload }),
      log,
    );
    await server.start();
  });
  after(async () => server?.stop());

  const data = new Float32Array(4096).map((_, i) => Math.cos(i) * 7);
  const packed = packTensors([{ name: 'x', dtype: 'float32', dims: [1, data.length], data }], 'float32');
  const frame = encodeFrame(
    { type: 'result', batchId: 'b-tls', requestIds: ['r1'], tensors: packed.wire, declaredBytes: 0, timings: [] },
    packed.payload,
  );

  it('carries a frame intact to a pool that trusts the CA', { timeout: 15_000 }, async () => {
    assert.match(server.url, /^wss:\/\/127\.0\.0\.1:\d+$/);
    const pool = new LinkPool({ token: TOKEN, caFile: certs.caFile }, new NicPacer(null), log);
    try {
      await pool.send(server.url, frame, 0);
      await waitFor('the frame over wss://', () => received.length === 1, 5000);
      const { header, payload } = received[0]!;
      assert.equal(header.batchId, 'b-tls');
      assert.deepEqual(unpackTensors(header.tensors, payload)[0]!.data, data);
    } finally {
      pool.close();
    }
  });

  it('refuses a wrong token with 401 and does not retry', { timeout: 15_000 }, async () => {
    const before = server.rejectedConnections;
    const intruder = new OutgoingLink(server.url, { token: 'wrong', caFile: certs.caFile }, log);
    try {
      const ms = await rejectionMs(intruder.send(frame), /HTTP 401 \(cluster token rejected\)/);
      assert.ok(ms < 3000, `refused after ${ms.toFixed(0)} ms`);
    } finally {
      intruder.close();
    }
    assert.equal(server.rejectedConnections, before + 1, 'one attempt, no retries');
    assert.ok(lines.some((line) => /wrong cluster token/.test(line)));
  });

  it('fails fast with a certificate error for a pool without the CA', { timeout: 15_000 }, async () => {
    const stranger = new OutgoingLink(server.url, { token: TOKEN }, log);
    try {
      const ms = await rejectionMs(
        stranger.send(frame),
        /TLS certificate not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE.*caFile, --link-ca/,
      );
      assert.ok(ms < 3000, `gave up after ${ms.toFixed(0)} ms`);
    } finally {
      stranger.close();
    }
    assert.equal(received.length, 1, 'nothing arrived from the untrusted attempt');
  });
});

it(
  'a ppipe worker process announces itself over mqtts:// and serves its links over wss://',
  { timeout: 40_000 },
  async () => {
    const { log } = memoryLogger();
    const broker = new EmbeddedBroker({
      accounts: [{ username: USER, password: PASSWORD }],
      tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    });
    await broker.start();
    const controller = new Bus(
      {
        url: broker.url,
        prefix: 'ppipe',
        clientId: 'controller',
        username: USER,
        password: PASSWORD,
        caFile: certs.caFile,
      },
      log,
    );
    const worker = spawnWorker(
      broker.url,
      'tls-1',
      [
        '--device-class',
        'L4',
        '--emulate',
        '--broker-ca',
        certs.caFile,
        '--username',
        USER,
        '--password',
        PASSWORD,
        '--tls-cert',
        certs.certFile,
        '--tls-key',
        certs.keyFile,
        '--link-ca',
        certs.caFile,
      ],
      null,
    );
    try {
      await controller.start();
      const announced: Announcement[] = [];
      await controller.subscribe('announce', (value) => void announced.push(value));
      await waitFor('the worker announcement', () => announced.length > 0 || worker.child.exitCode !== null, 30_000);
      assert.equal(worker.child.exitCode, null, `the worker exited: ${worker.stderr}`);
      assert.equal(announced[0]!.id, 'tls-1');
      assert.match(announced[0]!.dataEndpoint, /^wss:\/\/127\.0\.0\.1:\d+$/);
      // Its link server takes a client that trusts the CA and has the token.
      const toWorker = new OutgoingLink(announced[0]!.dataEndpoint, { token: TOKEN, caFile: certs.caFile }, log);
      await toWorker.connect(performance.now() + 5000);
      toWorker.close();
    } finally {
      await worker.stop();
      await controller.stop();
      await broker.stop();
    }
  },
);

it(
  'a ppipe worker whose broker refuses its password exits with the reason instead of hanging',
  { timeout: 30_000 },
  async () => {
    const broker = new EmbeddedBroker({
      accounts: [{ username: USER, password: PASSWORD }],
      tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    });
    await broker.start();
    const worker = spawnWorker(
      broker.url,
      'tls-2',
      [
        '--device-class',
        'L4',
        '--emulate',
        '--broker-ca',
        certs.caFile,
        '--username',
        USER,
        '--password',
        'guess',
        '--tls-cert',
        certs.certFile,
        '--tls-key',
        certs.keyFile,
      ],
      null,
    );
    try {
      await waitFor('the refused worker to exit', () => worker.child.exitCode !== null, 20_000);
      assert.equal(worker.child.exitCode, 1);
      assert.match(worker.stderr, /Not authorized \(the broker refused the username\/password/);
    } finally {
      await worker.stop('SIGKILL');
      await broker.stop();
    }
  },
);
