// `ppipe convert`: exit 0 with a loadable ONNX file, 1 for an unmapped op (nothing written), 2 for usage errors.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import ort from 'onnxruntime-node';
import { runConvertCommand } from '../../src/commands/convert.ts';
import { attr, placeholder, writeTfjsModel } from '../models/tfjsTestSupport.ts';
import { capture, ppipe } from './support.ts';

const work = mkdtempSync(path.join(tmpdir(), 'ppipe-convert-'));
after(() => rmSync(work, { recursive: true, force: true }));

const model = writeTfjsModel(
  path.join(work, 'model'),
  [
    placeholder('x', 'DT_FLOAT', 1, 2),
    { name: 'y', op: 'Add', input: ['x', 'one'], attr: { T: attr.type('DT_FLOAT') } },
    { name: 'z', op: 'Erf', input: ['y'], attr: { T: attr.type('DT_FLOAT') } },
  ],
  [{ name: 'one', dtype: 'float32', shape: [], values: [1] }],
  ['z'],
);

test('ppipe convert writes the cut graph, refuses an unmapped op with exit 1 and leaves no file', async () => {
  const out = path.join(work, 'y.onnx');
  const ok = capture();
  assert.equal(runConvertCommand([model, '--out', out, '--outputs', 'y'], ok.io), 0, ok.err());
  assert.match(ok.out(), /wrote .*y\.onnx: 1 nodes, inputs x, outputs y/);
  const session = await ort.InferenceSession.create(out);
  const result = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 2, 3, 4]), [2, 2]) });
  assert.deepEqual([...(result['y']!.data as Float32Array)], [2, 3, 4, 5], 'batch 2 through the dynamic batch');
  await session.release();

  const refused = path.join(work, 'z.onnx');
  const failed = capture();
  assert.equal(runConvertCommand([model, '--out', refused], failed.io), 1);
  assert.equal(failed.err(), 'error: unsupported op Erf at node z\n');
  assert.deepEqual(readdirSync(work).sort(), ['model', 'y.onnx'], 'nothing half-written');
});

test('ppipe convert: usage errors exit 2, an unreadable model exits 1 (through bin/ppipe)', async () => {
  const cases: [string[], number, RegExp][] = [
    [[model], 2, /--out FILE is required/],
    [['--out', 'x.onnx'], 2, /expected exactly one MODEL\.json/],
    [
      [model, '--out', path.join(work, 'u.onnx'), '--outputs', 'y,nope'],
      2,
      /--outputs names tensors the model does not have: nope/,
    ],
    [[model, '--out', path.join(work, 'u.onnx'), '--bogus'], 2, /Unknown option '--bogus'/],
    [
      [path.join(work, 'absent.json'), '--out', path.join(work, 'u.onnx')],
      1,
      /absent\.json: expected a TensorFlow\.js model\.json/,
    ],
  ];
  for (const [args, code, message] of cases) {
    const result = await ppipe(['convert', ...args]);
    assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  assert.equal(existsSync(path.join(work, 'u.onnx')), false);
});
