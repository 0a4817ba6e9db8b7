// `ppipe soak`: its arguments, the process sampling and growth it reports, and one short real run through
// bin/ppipe (the appliance with test cameras and a local worker) whose report must account for every frame.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { ProcessSampler, growthAfterWarmup, sampleProcess } from '../../src/commands/processSamples.ts';
import { parseSoakArgs, runSoakCommand, sampleTimesMs } from '../../src/commands/soak.ts';
import { capture, ppipe } from './support.ts';

describe('ppipe soak arguments', () => {
  it('defaults to 10 minutes, 4 cameras at 5 fps and the default model', () => {
    assert.deepEqual(parseSoakArgs([]), { minutes: 10, cameras: 4, fps: 5, model: undefined });
    assert.deepEqual(parseSoakArgs(['--minutes', '0.4', '--cameras', '2', '--fps', '2.5', '--model', 'm']), {
      minutes: 0.4,
      cameras: 2,
      fps: 2.5,
      model: 'm',
    });
  });

  const rejected: Array<[string[], RegExp]> = [
    [['--minutes', '0.1'], /--minutes expects a number of minutes from 0\.25 .* got "0\.1"/],
    [['--minutes', 'ten'], /--minutes expects .* got "ten"/],
    [['--minutes', ''], /--minutes expects .* got ""/],
    [['--cameras', '0'], /--cameras expects a whole number ≥ 1, got "0"/],
    [['--fps', '0'], /--fps expects frames per second.* got "0"/],
    [['--fps', '1e1'], /--fps expects frames per second.* got "1e1"/],
    [['--fps', '121'], /--fps expects frames per second.* got "121"/],
    [['--model', 'nope'], /--model: "nope" is not a model of .*default\.yaml; its models are centernet, blazeface/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ];
  for (const [argv, message] of rejected) {
    it(`${argv.join(' ')} exits 2 with a clear message and the usage`, async () => {
      const { io, out, err } = capture();
      assert.equal(await runSoakCommand(argv, io), 2);
      assert.match(err(), message);
      assert.match(err(), /Usage: ppipe soak/);
      assert.equal(out(), '');
    });
  }

  it('--help', async () => {
    const { io, out } = capture();
    assert.equal(await runSoakCommand(['--help'], io), 0);
    assert.match(out(), /Usage: ppipe soak .*\n[\s\S]*Linux only/);
  });
});

describe('soak sampling', () => {
  it('samples every 5 s, at the end of the warm-up and at the end of the run', () => {
    assert.deepEqual(sampleTimesMs(24_000, 10_000), [0, 5000, 10_000, 15_000, 20_000, 24_000]);
    assert.deepEqual(sampleTimesMs(60_000, 12_000).slice(0, 5), [0, 5000, 10_000, 12_000, 15_000]);
    assert.equal(sampleTimesMs(60_000, 12_000).at(-1), 60_000);
  });

  it('reads RSS and descriptors from /proc; a process that exited gives no sample', async () => {
    const own = sampleProcess(process.pid, 0)!;
    assert.ok(own.rssBytes > 10 * 2 ** 20, `RSS of this process: ${own.rssBytes} bytes`);
    assert.ok(own.openFds >= 3, `descriptors of this process: ${own.openFds}`);
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const sampler = new ProcessSampler();
    sampler.sample([{ name: 'worker', pid: child.pid! }], 0);
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.equal(sampleProcess(child.pid!, 1), undefined);
    sampler.sample([{ name: 'worker', pid: child.pid! }], 5000);
    assert.deepEqual(
      sampler.series.map((s) => [s.name, s.pid, s.samples.map((x) => x.atMs)]),
      [['worker', child.pid, [0]]],
    );
  });

  it('growth is the largest last/first − 1 after the warm-up; a restarted worker is a new series', () => {
    const mb = 2 ** 20;
    const sample = (atMs: number, rssMb: number, openFds: number) => ({ atMs, rssBytes: rssMb * mb, openFds });
    const growth = growthAfterWarmup(
      [
        // grows during the warm-up only: 0 after it
        { name: 'appliance', pid: 1, samples: [sample(0, 100, 50), sample(10_000, 200, 60), sample(20_000, 200, 60)] },
        // the first worker process died during the warm-up: not measured
        { name: 'local-0', pid: 2, samples: [sample(0, 100, 20)] },
        // its restart: a new series from its own first sample after the warm-up
        { name: 'local-0', pid: 3, samples: [sample(15_000, 100, 20), sample(20_000, 104, 23)] },
      ],
      10_000,
    );
    assert.equal(growth.memoryGrowth.toFixed(4), '0.0400');
    assert.equal(growth.fdGrowth, 3);
    assert.deepEqual(
      growth.processes.map((p) => [p.name, p.pid, p.samples]),
      [
        ['appliance', 1, 2],
        ['local-0', 3, 2],
      ],
    );
    const shrinking = growthAfterWarmup([{ name: 'a', pid: 1, samples: [sample(0, 100, 5), sample(5, 90, 4)] }], 0);
    assert.deepEqual([shrinking.memoryGrowth.toFixed(2), shrinking.fdGrowth], ['-0.10', -1]);
  });
});

describe('a short soak through bin/ppipe', { timeout: 120_000 }, () => {
  it('accounts for every frame submitted and exits by lost, memoryGrowth and served', async () => {
    const run = await ppipe([
      'soak',
      '--minutes',
      '0.25',
      '--cameras',
      '2',
      '--fps',
      '2',
      '--model',
      'blazeface',
      '--json',
    ]);
    const lines = run.stdout.split('\n').filter((line) => line !== '');
    assert.equal(lines.length, 1, `stdout is one JSON object:\n${run.stdout}\nstderr:\n${run.stderr}`);
    const report = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (const key of ['requests', 'served', 'late', 'dropped', 'lost', 'memoryGrowth', 'fdGrowth', 'restarts'])
      assert.equal(typeof report[key], 'number', `${key} in ${lines[0]}`);
    const { requests, served, late, dropped, lost, memoryGrowth, fdGrowth } = report as {
      [key in 'requests' | 'served' | 'late' | 'dropped' | 'lost' | 'memoryGrowth' | 'fdGrowth']: number;
    };
    assert.equal(served + dropped + lost, requests);
    assert.ok(late <= served, `late ${late} ≤ served ${served}`);
    assert.ok(Number.isInteger(fdGrowth));
    // 15 s of two cameras at 2 fps, after the cluster has its plan: frames were submitted and answered
    assert.ok(requests > 0 && served > 0, lines[0]);
    assert.equal(run.code, lost === 0 && memoryGrowth <= 0.1 && served > 0 ? 0 : 1, run.stderr);
    const processes = report.processes as Array<{ name: string }>;
    assert.deepEqual(processes.map((p) => p.name).sort(), ['appliance', 'local-0']);
    // progress went to stderr, and the temporary data folder is gone
    assert.match(run.stderr, /soak 15\/15 s: requests \d+/);
    const dataDir = /data in (\S+)/.exec(run.stderr)?.[1];
    assert.ok(dataDir !== undefined && !existsSync(dataDir), `data folder ${dataDir} removed`);
  });
});
