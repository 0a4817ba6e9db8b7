import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { runSweepCommand } from '../../src/commands/sweep.ts';
import { FIXTURES } from '../helpers.ts';
import { capture } from './support.ts';
import { FIXTURE_PROFILES } from '../artifactData.ts';

/** The artifact's measurements of the fixture plans' models. */
const WITH_PROFILES = ['--profiles', FIXTURE_PROFILES];

const PLAN = path.join(FIXTURES, 'g2-L4-T4.plan.json');

test('ppipe sweep --json reports the largest passing load factor and its points', () => {
  const c = capture();
  const code = runSweepCommand(
    [PLAN, '--dnn', '2', '--duration-s', '0.5', '--reference-xput', '2000', '--json', ...WITH_PROFILES],
    c.io,
  );
  assert.equal(code, 0, c.err());
  const result = JSON.parse(c.out()) as {
    maxLoadFactor: number;
    points: Array<{ loadFactor: number; attainment: number; rateRps: number }>;
  };
  assert.ok(result.points.length >= 1);
  assert.equal(result.points[0]!.loadFactor, 1);
  assert.equal(result.points[0]!.rateRps, 2000);
  const last = result.points[result.points.length - 1]!;
  assert.equal(result.maxLoadFactor, last.attainment >= 0.99 ? last.loadFactor : 0);
  assert.match(c.err(), /lf 1\.00/);
});

test('ppipe sweep: --help exits 0, options of ppipe sim exit 2', () => {
  let c = capture();
  assert.equal(runSweepCommand(['--help'], c.io), 0);
  assert.match(c.out(), /Usage: ppipe sweep/);
  c = capture();
  assert.equal(runSweepCommand([PLAN, '--dnn', '0', '--rate', '10'], c.io), 2);
  assert.match(c.err(), /belong to ppipe sim/);
});
