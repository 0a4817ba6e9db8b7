// The ONNX file a configured model is served from: ONNX as configured; a TF.js model.json converted into the
// data folder (CenterNet cut at its two heads), rewritten only when the conversion's bytes differ.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { servedModelFile } from '../../src/detect/index.ts';
import { readOnnxModel } from '../../src/models/index.ts';
import { REPO_ROOT } from '../helpers.ts';

const CENTERNET_JSON = path.join(REPO_ROOT, 'models', 'centernet', 'centernet.json');

it('an ONNX path is served as it is', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-served-'));
  assert.equal(
    servedModelFile({ id: 'faces', kind: 'blazeface', file: '/models/face.onnx' }, dir),
    '/models/face.onnx',
  );
});

it("CenterNet's model.json becomes <dir>/<id>.onnx with its two heads, rewritten only when it changed", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-served-'));
  const served = servedModelFile({ id: 'coco', kind: 'centernet', file: CENTERNET_JSON }, dir);
  assert.equal(served, path.join(dir, 'coco.onnx'));
  const graph = readOnnxModel(served).graph!;
  assert.deepEqual(
    graph.output!.map((o) => o.name),
    ['tower_0/keypoints', 'tower_0/wh'],
  );
  // Whole seconds, an hour ago: a time the file system stores exactly.
  const oldS = Math.floor(Date.now() / 1000) - 3600;
  utimesSync(served, oldS, oldS);
  servedModelFile({ id: 'coco', kind: 'centernet', file: CENTERNET_JSON }, dir);
  assert.equal(Math.round(statSync(served).mtimeMs), oldS * 1000, 'same bytes: not rewritten');
  writeFileSync(served, 'stale');
  servedModelFile({ id: 'coco', kind: 'centernet', file: CENTERNET_JSON }, dir);
  assert.notEqual(readFileSync(served, 'utf8').slice(0, 5), 'stale');
});

it('a model.json that cannot be converted names the model and the file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-served-'));
  const bad = path.join(dir, 'broken.json');
  writeFileSync(bad, '{"modelTopology": 3}');
  assert.throws(() => servedModelFile({ id: 'coco', kind: 'centernet', file: bad }, dir), {
    message: new RegExp(`^model "coco" \\(${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): cannot convert to ONNX: `),
  });
});
