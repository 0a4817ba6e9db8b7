// The environment is read once, at start, by the top floor (src/commands/environment.ts), and handed to the
// rooms as settings: PPIPE_HIGHS_WORKERS=1 turns the HiGHS race off for every command that plans.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterEach, it } from 'node:test';
import { promisify } from 'node:util';
import { applyEnvironment } from '../../src/commands/index.ts';
import { HighsSolver, configureHighs } from '../../src/planner/index.ts';
import { REPO_ROOT } from '../planner/helpers.ts';

afterEach(() => configureHighs({}));

it('PPIPE_HIGHS_WORKERS sets the portfolio of every solver made afterwards; unset, the default holds', () => {
  assert.equal(new HighsSolver().portfolio, Math.min(2, os.availableParallelism()));
  assert.deepEqual(applyEnvironment({ PPIPE_HIGHS_WORKERS: '1', PPIPE_HIGHS_IDLE_WORKERS: '0' }), []);
  assert.equal(new HighsSolver().portfolio, 1);
  assert.equal(new HighsSolver({ portfolio: 3 }).portfolio, 3, 'an explicit option wins');
  assert.deepEqual(applyEnvironment({ PPIPE_HIGHS_WORKERS: '3' }), []);
  assert.equal(new HighsSolver().portfolio, 3);
  assert.deepEqual(applyEnvironment({}), []);
  assert.equal(new HighsSolver().portfolio, Math.min(2, os.availableParallelism()));
});

it('a malformed variable is named, and nothing is applied', () => {
  const problems = applyEnvironment({ PPIPE_HIGHS_WORKERS: '1', PPIPE_HIGHS_IDLE_WORKERS: 'many' });
  assert.deepEqual(problems, ['PPIPE_HIGHS_IDLE_WORKERS: expected a whole number, got "many"']);
  assert.equal(new HighsSolver().portfolio, Math.min(2, os.availableParallelism()));
});

it('ppipe reads its environment at start: a malformed one stops it with exit code 2', async () => {
  const env = { ...process.env, PPIPE_HIGHS_WORKERS: 'two' };
  const failure = await promisify(execFile)(path.join(REPO_ROOT, 'bin', 'ppipe'), ['plan', '--help'], { env }).then(
    () => undefined,
    (error: unknown) => error as { code: number; stderr: string },
  );
  assert.equal(failure?.code, 2);
  assert.match(failure.stderr, /^ppipe: PPIPE_HIGHS_WORKERS: expected a whole number, got "two"$/m);
});
