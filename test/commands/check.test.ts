// The command-line contract of `ppipe check`, run as a real process through bin/ppipe on plans that
// `ppipe plan` writes.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ppipe, problemFolder } from './support.ts';

describe('ppipe check', () => {
  const { dir, problemFile } = problemFolder();

  it('check exits non-zero and names each violation', async () => {
    const planFile = path.join(dir, 'bad-plan.json');
    const result = await ppipe(['plan', problemFile, '--json']);
    const plan = (
      JSON.parse(result.stdout) as {
        plan: { dnns: Array<{ pipelines: Array<{ partitions: Array<{ inferUs: number }> }> }> };
      }
    ).plan;
    plan.dnns[0]!.pipelines[0]!.partitions[0]!.inferUs = 1;
    writeFileSync(planFile, JSON.stringify(plan));
    const check = await ppipe(['check', planFile, '--problem', problemFile]);
    assert.equal(check.code, 1);
    assert.match(
      check.stderr,
      /dnns\[0\] \(colorization-v2\)\.pipelines\[0\]\.partitions\[0\]\.inferUs: profiles give/,
    );
  });

  it('--help; a missing --problem exits 2', async () => {
    const help = await ppipe(['check', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: ppipe check/);
    assert.equal((await ppipe(['check', path.join(dir, 'plan.json')])).code, 2);
  });
});
