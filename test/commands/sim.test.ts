import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { runSimCommand } from '../../src/commands/sim.ts';
import { FIXTURES } from '../helpers.ts';
import { capture } from './support.ts';
import { FIXTURE_PROFILES } from '../artifactData.ts';

/** The artifact's measurements of the fixture plans' models. */
const WITH_PROFILES = ['--profiles', FIXTURE_PROFILES];

const PLAN = path.join(FIXTURES, 'g2-L4-T4.plan.json');

test('ppipe sim --json prints exactly one JSON object with the contract fields', () => {
  const c = capture();
  const code = runSimCommand(
    [PLAN, '--dnn', '1', '--load-factor', '0.8', '--duration-s', '1', '--seed', '3', '--json', ...WITH_PROFILES],
    c.io,
  );
  assert.equal(code, 0, c.err());
  const result = JSON.parse(c.out()) as Record<string, unknown>;
  for (const key of [
    'attainment',
    'dropped',
    'late',
    'served',
    'requests',
    'utilization',
    'probesPerBatch',
    'schedulerUsPerDecision',
    'eventsPerSecond',
  ]) {
    assert.ok(key in result, key);
  }
  assert.equal(result.rateRps, Math.floor(0.8 * 1153.67));
  assert.ok((result.utilization as Record<string, number>).L4! > 0);
  assert.match(c.err(), /simulating googlenet-v3/);
});

test('ppipe sim: usage errors exit 2, bad input exits 1, --help exits 0', () => {
  let c = capture();
  assert.equal(runSimCommand(['--help'], c.io), 0);
  assert.match(c.out(), /Usage: ppipe sim/);
  c = capture();
  assert.equal(runSimCommand([PLAN, '--dnn', '0'], c.io), 2);
  assert.match(c.err(), /exactly one of --rate and --load-factor/);
  c = capture();
  assert.equal(runSimCommand([PLAN, '--dnn', '0', '--rate', '10', '--arrivals', 'weibull'], c.io), 2);
  c = capture();
  assert.equal(runSimCommand([PLAN, '--dnn', '7', '--rate', '10'], c.io), 1);
  const missing = capture();
  assert.equal(runSimCommand([PLAN, '--dnn', '0', '--rate', '10', '--profiles', '/no/such/folder'], missing.io), 2);
  assert.match(missing.err(), /profiling data is not at \/no\/such\/folder: get the data\/ folder/);
  assert.match(c.err(), /index below 3/);
  c = capture();
  assert.equal(runSimCommand([path.join(FIXTURES, 'missing.json'), '--dnn', '0', '--rate', '10'], c.io), 1);
});
