// `ppipe profile` on BlazeFace writes a profile that the planner's own parser accepts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseProfileFile, readProfileDocument } from '../../src/planner/profileFormat.ts';
import { HighsSolver, loadProblem, planFromOutcome, planProblem, validatePlan } from '../../src/planner/index.ts';
import { removeCallOverhead } from '../../src/models/modelProfiler.ts';
import { runProfileCommand } from '../../src/commands/profile.ts';
import { BLAZEFACE_FRONT } from './onnxTestSupport.ts';

test('profile of BlazeFace parses back with parseProfileFile', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-profile-'));
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: (text: string) => out.push(text), stderr: (text: string) => err.push(text) };
  const code = await runProfileCommand(
    [BLAZEFACE_FRONT, '--device', 'cpu:1', '--blocks', '4', '--warmup', '1', '--repeats', '3', '--out', dir],
    io,
  );
  assert.equal(code, 0, err.join(''));
  const file = path.join(dir, 'face_detection_front_128x128_barracuda.profile.json');
  const profile = parseProfileFile(file, JSON.parse(readFileSync(file, 'utf8')));
  assert.equal(profile.blockCount, 4);
  assert.equal(profile.cutBytes.length, 3);
  assert.equal(profile.inputBytes, 128 * 128 * 3 * 2);
  const device = profile.devices.get('cpu-1t');
  assert.ok(device);
  assert.equal(device.latencyUs.get(1)!.length, 4);
  assert.equal(device.latencyUs.get(1)![0]!.length, 1, 'fixed batch 1: one column');
  assert.match(err.join(''), /fixed at 1/);
  assert.match(err.join(''), /100%/);
  const cuts = JSON.parse(readFileSync(path.join(dir, 'face_detection_front_128x128_barracuda.cuts.json'), 'utf8')) as {
    node: string;
  }[];
  assert.equal(cuts[0]!.node, '$input$');
  assert.equal(cuts.at(-1)!.node, '$output$');

  // End to end: the planner plans the user's own model on the measured device class, and the plan validates.
  // The SLO is explicit and generous: the default (a multiple of the whole-model time) would make the result
  // depend on how evenly this shared machine timed the whole model and its blocks.
  const problemFile = path.join(dir, 'problem.json');
  writeFileSync(
    problemFile,
    JSON.stringify({
      profiles: '.',
      bandwidthGbps: 1,
      gpus: [{ type: 'cpu-1t', count: 3 }],
      dnns: [{ name: 'face_detection_front_128x128_barracuda', sloUs: 500_000 }],
    }),
  );
  const solver = new HighsSolver({ portfolio: 1 });
  try {
    const problem = loadProblem(problemFile);
    const plan = planFromOutcome(
      problem,
      await planProblem(problem, solver, { deadlineMs: performance.now() + 20_000 }),
    );
    assert.equal(plan.status, 'optimal');
    assert.ok(plan.objective > 0);
    assert.deepEqual(validatePlan(plan, problem), []);
  } finally {
    await solver.stop();
  }
});

test(
  '--blocks-from times the blocks of an existing profile on another device class, and refuses blocks of another ' +
    'model',
  async () => {
    const first = mkdtempSync(path.join(tmpdir(), 'ppipe-profile-'));
    const second = mkdtempSync(path.join(tmpdir(), 'ppipe-profile-'));
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (text: string) => err.push(text) };
    const name = 'face_detection_front_128x128_barracuda.profile.json';
    assert.equal(
      await runProfileCommand(
        [BLAZEFACE_FRONT, '--device', 'cpu:1', '--blocks', '3', '--warmup', '0', '--repeats', '1', '--out', first],
        io,
      ),
      0,
      err.join(''),
    );
    const reference = readProfileDocument(path.join(first, name));
    assert.equal(
      await runProfileCommand(
        [
          BLAZEFACE_FRONT,
          '--device',
          'cpu:1',
          '--device-class',
          'edge-box',
          '--blocks-from',
          path.join(first, name),
          '--warmup',
          '0',
          '--repeats',
          '1',
          '--out',
          second,
        ],
        io,
      ),
      0,
      err.join(''),
    );
    const again = readProfileDocument(path.join(second, name));
    assert.deepEqual(again.blocks, reference.blocks, 'the same block boundaries');
    assert.deepEqual(again.cutBytes, reference.cutBytes);
    assert.deepEqual(
      again.devices.map((d) => d.deviceClass),
      ['edge-box'],
    );
    assert.equal(again.devices[0]!.latencyUs['1']!.length, 3);

    const shifted = {
      ...reference,
      blocks: reference.blocks!.map((b, i) => (i === 1 ? { ...b, firstNode: b.firstNode + 1 } : b)),
    };
    const shiftedFile = path.join(second, 'shifted.profile.json');
    writeFileSync(shiftedFile, JSON.stringify(shifted));
    err.length = 0;
    assert.notEqual(await runProfileCommand([BLAZEFACE_FRONT, '--blocks-from', shiftedFile, '--out', second], io), 0);
    assert.match(err.join(''), /block 1 covers nodes .* the blocks belong to another model/);
  },
);

test('profile --device cuda fails clearly where no CUDA provider is present', async () => {
  const err: string[] = [];
  const code = await runProfileCommand([BLAZEFACE_FRONT, '--device', 'cuda:0', '--out', tmpdir()], {
    stdout: () => {},
    stderr: (text) => err.push(text),
  });
  assert.equal(code, 1);
  assert.match(err.join(''), /libonnxruntime_providers_cuda.so is not installed.*ONNXRUNTIME_NODE_INSTALL=cuda12/);
});

test('per-run overhead is removed from every block but the first, so blocks sum to the whole model', () => {
  // Four blocks of 100 µs work each, timed separately with 300 µs per run; the whole model: 400 + 300.
  const corrected = removeCallOverhead([400, 400, 400, 400], 700);
  assert.deepEqual(corrected, [400, 100, 100, 100]);
  assert.equal(
    corrected.reduce((a, b) => a + b, 0),
    700,
  );
  assert.deepEqual(removeCallOverhead([5, 3], 100), [5, 3], 'never adds time when blocks are faster than the whole');
  assert.deepEqual(removeCallOverhead([500, 2], 400), [500, 1], 'a block never falls below 1 µs');
});
