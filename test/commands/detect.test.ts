// `ppipe detect` through bin/ppipe: CenterNet's converted heads on the test photographs (PNG and JPEG), one JSON
// line per image, a bad image reported on stderr while the others print (exit 1), a configured model by id,
// and usage errors (exit 2).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveTool } from '../../src/ingest/index.ts';
import { REPO_ROOT, testPhoto } from '../helpers.ts';
import { ppipe } from './support.ts';

type Line = {
  image: string;
  width: number;
  height: number;
  detections: Array<{ label: string; score: number; box: number[] }>;
};

describe('ppipe detect', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'ppipe-detect-'));
  const heads = path.join(work, 'centernet.onnx');
  const jpeg = path.join(work, 'coffee.jpg');
  const bad = path.join(work, 'not-an-image.png');
  before(async () => {
    const converted = await ppipe([
      'convert',
      path.join(REPO_ROOT, 'models/centernet/centernet.json'),
      '--out',
      heads,
      '--outputs',
      'tower_0/keypoints,tower_0/wh',
    ]);
    assert.equal(converted.code, 0, converted.stderr);
    execFileSync(resolveTool('ffmpeg', 'ffmpeg'), ['-v', 'error', '-i', testPhoto('coffee.png'), '-q:v', '2', jpeg]);
    writeFileSync(bad, 'this is text, not a PNG');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('--onnx --kind centernet --json: astronaut’s best is a person ≥ 0.5, coffee’s a cup (PNG and JPEG)', async () => {
    const photos = [testPhoto('astronaut.png'), bad, testPhoto('coffee.png'), jpeg];
    const result = await ppipe(['detect', ...photos, '--onnx', heads, '--kind', 'centernet', '--json']);
    assert.equal(result.code, 1, 'a bad image makes the exit code 1');
    assert.match(result.stderr, /not-an-image\.png/);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Line);
    assert.deepEqual(
      lines.map((l) => [l.image, l.width, l.height]),
      [
        [photos[0], 512, 512],
        [photos[2], 600, 400],
        [photos[3], 600, 400],
      ],
    );
    const [astronaut, coffee, coffeeJpeg] = lines as [Line, Line, Line];
    assert.equal(astronaut.detections[0]!.label, 'person');
    assert.ok(astronaut.detections[0]!.score >= 0.5, `person ${astronaut.detections[0]!.score}`);
    assert.equal(coffee.detections[0]!.label, 'cup');
    assert.equal(coffeeJpeg.detections[0]!.label, 'cup');
    for (const line of lines) {
      const scores = line.detections.map((d) => d.score);
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => b - a),
        `${line.image}: sorted by score`,
      );
      for (const { box, score } of line.detections) {
        assert.ok(score >= 0.3, `${line.image}: default threshold 0.3 with --onnx, got ${score}`);
        const [x1, y1, x2, y2] = box as [number, number, number, number];
        assert.ok(0 <= x1 && x1 < x2 && x2 <= line.width && 0 <= y1 && y1 < y2 && y2 <= line.height, `${box}`);
        assert.ok(
          box.every((v) => Math.abs(v * 10 - Math.round(v * 10)) < 1e-6),
          `${box}: rounded to 0.1 px`,
        );
      }
    }
  });

  it('--model ID reads the configuration; its threshold applies unless --threshold is given', async () => {
    const config = path.join(work, 'config.yaml');
    writeFileSync(
      config,
      `models:\n  - id: coco\n    kind: centernet\n    path: centernet.onnx\n    threshold: 0.42\n`,
    );
    const configured = await ppipe([
      'detect',
      testPhoto('coffee.png'),
      '--model',
      'coco',
      '--config',
      config,
      '--json',
    ]);
    assert.equal(configured.code, 0, configured.stderr);
    assert.deepEqual(
      (JSON.parse(configured.stdout) as Line).detections.map((d) => d.label),
      ['cup'],
    );
    const lower = await ppipe([
      'detect',
      testPhoto('coffee.png'),
      '--model',
      'coco',
      '--config',
      config,
      '--threshold',
      '0.3',
      '--json',
    ]);
    assert.deepEqual(
      (JSON.parse(lower.stdout) as Line).detections.map((d) => d.label),
      ['cup', 'dining table', 'cup'],
    );
    const unknown = await ppipe(['detect', testPhoto('coffee.png'), '--model', 'nope', '--config', config]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /has no model "nope"; models are coco/);
  });

  it('usage errors exit 2 and say what was expected', async () => {
    const noKind = await ppipe(['detect', testPhoto('coffee.png'), '--onnx', heads]);
    assert.equal(noKind.code, 2);
    assert.match(noKind.stderr, /--kind expects one of blazeface, yolov5, yolov8, centernet/);
    const both = await ppipe(['detect', testPhoto('coffee.png')]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either --model ID or --onnx FILE --kind KIND/);
    const threshold = await ppipe([
      'detect',
      testPhoto('coffee.png'),
      '--onnx',
      heads,
      '--kind',
      'yolov8',
      '--threshold',
      '2',
    ]);
    assert.equal(threshold.code, 2);
    assert.match(threshold.stderr, /--threshold expects a number from 0 to 1, got "2"/);
  });
});
