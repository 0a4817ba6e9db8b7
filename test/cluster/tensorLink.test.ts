// Tensor links: frames round-trip (float32 exact, float16 bounded), pacing to a bandwidth, cluster token.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  LinkPool,
  LinkServer,
  NicPacer,
  OutgoingLink,
  decodeFrame,
  encodeFrame,
  packTensors,
  unpackTensors,
} from '../../src/cluster/index.ts';
import type { FrameHeader } from '../../src/cluster/index.ts';
import { TOKEN, memoryLogger } from './support.ts';
import { waitFor } from '../helpers.ts';

function resultHeader(bytes: number, declaredBytes = 0): { header: FrameHeader; payload: Uint8Array[] } {
  const data = new Float32Array(bytes / 4).map((_, i) => Math.sin(i) * 100);
  const packed = packTensors([{ name: 'x', dtype: 'float32', dims: [1, data.length], data }], 'float32');
  return {
    header: { type: 'result', batchId: 'b', requestIds: ['r'], tensors: packed.wire, declaredBytes, timings: [] },
    payload: packed.payload,
  };
}

it('frames round-trip; float16 links have bounded error; bad frames are reasons, not crashes', () => {
  const data = new Float32Array([1.5, -2.25, 3.1415926, 65504, 1e-3]);
  const exact = packTensors([{ name: 'x', dtype: 'float32', dims: [1, 5], data }], 'float32');
  const decoded = decodeFrame(
    encodeFrame(
      { type: 'result', batchId: 'b', requestIds: ['r'], tensors: exact.wire, declaredBytes: 0, timings: [] },
      exact.payload,
    ),
  );
  assert.ok(decoded.ok);
  assert.deepEqual(unpackTensors(decoded.header.tensors, decoded.payload)[0]!.data, data);
  const half = packTensors([{ name: 'x', dtype: 'float32', dims: [1, 5], data }], 'float16');
  assert.equal(half.wire[0]!.dtype, 'float16');
  const restored = unpackTensors(half.wire, Buffer.concat(half.payload))[0]!.data as Float32Array;
  for (let i = 0; i < data.length; i++) assert.ok(Math.abs(restored[i]! - data[i]!) <= Math.abs(data[i]!) * 1e-3);
  assert.ok(!decodeFrame(Buffer.from([1, 2])).ok);
  const bad = decodeFrame(
    encodeFrame({
      type: 'result',
      batchId: '',
      requestIds: [],
      tensors: [],
      declaredBytes: 0,
      timings: [],
    } as FrameHeader),
  );
  assert.ok(!bad.ok && /batchId/.test(bad.reason));
});

it(
  'paces a link to its configured bandwidth (never faster, at most 50 % slower on a loaded box) and rejects a ' +
    'wrong cluster token',
  async () => {
    const { log, lines } = memoryLogger();
    let received = 0;
    const server = new LinkServer({ token: TOKEN }, () => void received++, log);
    await server.start();
    const pool = new LinkPool({ token: TOKEN }, new NicPacer(0.2), log); // 0.2 Gbit/s = 25 MB/s
    try {
      const { header, payload } = resultHeader(1024);
      const frame = encodeFrame(header, payload);
      await pool.send(server.url, frame, 0); // connect first
      const declared = 500_000; // 20 ms each at 25 MB/s
      // Ten sends queued at once, as a worker's results are: the NIC's busy time adds up from the first, so a
      // slow test runner only delays the last timer, not each of the ten.
      const started = performance.now();
      await Promise.all(Array.from({ length: 10 }, () => pool.send(server.url, frame, declared)));
      const elapsedMs = performance.now() - started;
      await waitFor('frames', () => received === 11);
      const expectedMs = (10 * declared * 8) / (0.2 * 1e6);
      // Pacing may not beat the bandwidth; timer overshoot can only make it slower.
      assert.ok(
        elapsedMs >= expectedMs * 0.97 && elapsedMs <= expectedMs * 1.5,
        `paced ${elapsedMs.toFixed(1)} ms, expected ${expectedMs} ms`,
      );

      const intruder = new OutgoingLink(server.url, { token: 'wrong' }, log);
      await assert.rejects(intruder.send(frame), /401|cluster token/);
      intruder.close();
      assert.equal(server.rejectedConnections, 1);
      assert.ok(lines.some((line) => /cluster token/.test(line)));
      assert.equal(received, 11);
    } finally {
      pool.close();
      await server.stop();
    }
  },
);
