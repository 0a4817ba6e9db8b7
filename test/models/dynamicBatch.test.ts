// A batch-1 model made batch-dynamic: BlazeFace run at batch 3 gives, sample by sample, the original's
// outputs at batch 1; nodes that could mix samples or bake in the batch are refused by name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { DYNAMIC_BATCH_PARAM, makeBatchDynamic } from '../../src/models/dynamicBatch.ts';
import { analyzeGraph } from '../../src/models/graphAnalysis.ts';
import { encodeOnnxModel, readOnnxModel } from '../../src/models/onnxModel.ts';
import { DataType } from '../../src/models/onnxSchema.ts';
import type { ModelMessage, NodeMessage } from '../../src/models/onnxSchema.ts';
import { batchInfo } from '../../src/models/shapes.ts';
import { BLAZEFACE_FRONT, diamondModel, floatInfo } from './onnxTestSupport.ts';

/** x[1,4] → nodes → y[1,4], with a constant int64 shape `s` = [1, 4]. */
function batchOneModel(nodes: NodeMessage[]): ModelMessage {
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'batch-one',
      node: nodes,
      initializer: [
        { name: 's', dims: [2], dataType: DataType.INT64, rawData: new Uint8Array(new BigInt64Array([1n, 4n]).buffer) },
      ],
      input: [floatInfo('x', [1, 4])],
      output: [floatInfo('y', [1, 4])],
    },
  };
}

describe('makeBatchDynamic', () => {
  it('BlazeFace at batch 3 equals the original at batch 1, sample by sample, bit for bit', async () => {
    const original = readOnnxModel(BLAZEFACE_FRONT);
    const dynamic = makeBatchDynamic(original, BLAZEFACE_FRONT);
    const info = batchInfo(dynamic, analyzeGraph(dynamic, BLAZEFACE_FRONT));
    assert.deepEqual(info, { dynamic: true, fixedBatch: undefined, param: DYNAMIC_BATCH_PARAM });
    assert.ok(!dynamic.graph!.node!.some((n) => n.opType === 'ConstantOfShape'), 'the zero blocks became Pads');
    const [before, after] = await Promise.all([
      ort.InferenceSession.create(BLAZEFACE_FRONT),
      ort.InferenceSession.create(encodeOnnxModel(dynamic)),
    ]);
    try {
      const perSample = 128 * 128 * 3;
      const batch = 3;
      const data = Float32Array.from({ length: batch * perSample }, (_, i) => Math.sin(i * 0.37 + (i % 7)));
      const input = before.inputNames[0]!;
      const batched = await after.run({ [input]: new ort.Tensor('float32', data, [batch, 128, 128, 3]) });
      for (let b = 0; b < batch; b++) {
        const single = await before.run({
          [input]: new ort.Tensor('float32', data.slice(b * perSample, (b + 1) * perSample), [1, 128, 128, 3]),
        });
        for (const name of before.outputNames) {
          const expected = single[name]!.data as Float32Array;
          assert.equal(batched[name]!.dims[0], batch, `${name} has the batch first`);
          const got = (batched[name]!.data as Float32Array).subarray(b * expected.length, (b + 1) * expected.length);
          assert.deepEqual(got, expected, `${name}, sample ${b}`);
        }
      }
    } finally {
      await Promise.all([before.release(), after.release()]);
    }
  });

  it('returns a model whose batch is already dynamic unchanged', () => {
    const model = diamondModel();
    assert.equal(makeBatchDynamic(model, 'diamond.onnx'), model);
  });

  it('refuses, naming the node, an op that is not known to keep samples apart', () => {
    const model = batchOneModel([{ name: 'F', opType: 'Flatten', input: ['x'], output: ['y'] }]);
    assert.throws(
      () => makeBatchDynamic(model, 'f.onnx'),
      /f\.onnx.*node F.*cannot make the batch dynamic: Flatten is not known to compute each sample independently/,
    );
  });

  it('refuses constant zeros read by anything but a Concat that pads', () => {
    const model = batchOneModel([
      { name: 'Z', opType: 'ConstantOfShape', input: ['s'], output: ['z'] },
      { name: 'A', opType: 'Add', input: ['x', 'z'], output: ['y'] },
    ]);
    assert.throws(() => makeBatchDynamic(model, 'z.onnx'), /node A.*Add reads the constant zeros of Z/);
  });

  it('refuses a Concat along the batch axis', () => {
    const model = batchOneModel([
      { name: 'C', opType: 'Concat', input: ['x', 'x'], output: ['y'], attribute: [{ name: 'axis', type: 2, i: 0 }] },
    ]);
    assert.throws(() => makeBatchDynamic(model, 'c.onnx'), /node C.*Concat along the batch axis/);
  });
});
