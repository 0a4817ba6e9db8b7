// End to end with real processes on loopback: a generated zoo model split in 2 (splitModel) runs as two
// partitions on two `ppipe worker` processes (onnxruntime, CPU); the partitions arrive over HTTP by sha256.
// float32 links give bit-identical outputs to the whole model; float16 links a bounded, reported error.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { NamedTensor } from '../../src/cluster/index.ts';
import { createPartitionExecutor, encodeOnnxModel } from '../../src/models/index.ts';
import { zooModel } from '../models/modelZoo.ts';
import { splitInTwo, startTwoPartitionCluster } from './support.ts';
import { waitFor } from '../helpers.ts';

function seededInput(count: number): Float32Array {
  let state = 12345;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  });
}

it('serves a request across two partitions on two worker processes', { timeout: 60_000 }, async () => {
  const bytes = encodeOnnxModel(zooModel('mobilenet', { inputSize: 64, widthDivisor: 2 }));
  const { partitions, first } = await splitInTwo('zoo-mobilenet', bytes);
  const inputSpec = first!.inputs[0]!;
  const dims = inputSpec.shape.map((d) => (d < 0 ? 1 : d));
  const input: NamedTensor = {
    name: inputSpec.name,
    dtype: 'float32',
    dims,
    data: seededInput(dims.reduce((a, b) => a * b, 1)),
  };
  const whole = await createPartitionExecutor(bytes, { device: { kind: 'cpu', threads: 1 } });
  const expected = await whole.run({ [input.name]: input });
  await whole.release();

  const cluster = await startTwoPartitionCluster('zoo-mobilenet', partitions, ['cpu-a', 'cpu-b']);
  const { frontend, controller, models } = cluster;
  try {
    const hops = await cluster.serving(40_000);
    assert.deepEqual(new Set(hops), new Set(['cpu-a', 'cpu-b']), 'the two partitions run on two different workers');

    const exact = await frontend.submit('zoo-mobilenet', [input]);
    assert.equal(exact.status, 'ok', exact.reason);
    for (const [name, tensor] of Object.entries(expected)) {
      const got = exact.outputs.find((o) => o.name === name);
      assert.ok(got, `output ${name}`);
      assert.deepEqual(got.dims, tensor.dims);
      assert.ok(
        Buffer.from((got.data as Float32Array).buffer, got.data.byteOffset, got.data.byteLength).equals(
          Buffer.from((tensor.data as Float32Array).buffer, tensor.data.byteOffset, tensor.data.byteLength),
        ),
        `float32 links: ${name} is bit-identical`,
      );
    }

    cluster.forgetPlacedPlan();
    await controller.reconfigure({ linkDtype: 'float16' });
    await waitFor('float16 plan serving', () => cluster.placedPlan() !== undefined, 20_000);
    const half = await frontend.submit('zoo-mobilenet', [input]);
    assert.equal(half.status, 'ok', half.reason);
    let worst = 0;
    let scale = 0;
    for (const [name, tensor] of Object.entries(expected)) {
      const a = tensor.data as Float32Array;
      const b = half.outputs.find((o) => o.name === name)!.data as Float32Array;
      for (let i = 0; i < a.length; i++) {
        scale = Math.max(scale, Math.abs(a[i]!));
        worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      }
    }
    const relError = worst / (scale || 1);
    console.log(
      `float16 links: max abs error ${worst.toExponential(3)}, relative to output range ${relError.toExponential(3)}`,
    );
    assert.ok(relError < 5e-3, `float16 relative error ${relError}`);
    assert.equal(models.served, 2, "each partition was downloaded once; the re-plan hit the workers' caches");
  } finally {
    await cluster.stop();
  }
});
