// The command-line contract of `ppipe plan` (issue: other checks depend on it), run as a real process
// through bin/ppipe; the plans it writes must pass `ppipe check`.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURE_PROFILES } from '../artifactData.ts';
import { ppipe, problemFolder } from './support.ts';

describe('ppipe plan', () => {
  const { dir, problemFile } = problemFolder();

  it('--json prints exactly one JSON object; --out writes a plan that check accepts; artifact format too', async () => {
    const planFile = path.join(dir, 'plan.json');
    const result = await ppipe(['plan', problemFile, '--json', '--out', planFile]);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as {
      objective: number;
      status: string;
      seconds: number;
      plan: { format: string };
    };
    assert.deepEqual(Object.keys(out), ['objective', 'status', 'seconds', 'plan']);
    assert.equal(out.status, 'optimal');
    assert.ok(out.objective > 3400 && out.seconds > 0 && out.plan.format === 'ppipe-plan/1');
    assert.deepEqual(JSON.parse(readFileSync(planFile, 'utf8')), out.plan);
    const check = await ppipe(['check', planFile, '--problem', problemFile]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /valid/);

    const artifactFile = path.join(dir, 'artifact.json');
    const np = await ppipe(['plan', problemFile, '--algorithm', 'np', '--format', 'artifact', '--out', artifactFile]);
    assert.equal(np.code, 0, np.stderr);
    assert.match(np.stdout, /NP plan on 25 L4 \+ 75 T4/);
    assert.ok(Array.isArray(JSON.parse(readFileSync(artifactFile, 'utf8'))));
    assert.equal((await ppipe(['check', artifactFile, '--problem', problemFile])).code, 0);
  });

  it('bad input gets a clear error: unknown model, malformed problem, bad options', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        profiles: FIXTURE_PROFILES,
        bandwidthGbps: 10,
        gpus: [{ type: 'L4', count: 1 }],
        dnns: [{ name: 'resnet-999' }],
      }),
    );
    const unknown = await ppipe(['plan', bad]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /dnns\[0\]\.name.*expected the name of a profiled model/);
    writeFileSync(bad, JSON.stringify({ profiles: FIXTURE_PROFILES, bandwidthGbps: -1, gpus: [], dnns: [] }));
    const malformed = await ppipe(['plan', bad]);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /bad\.json: bandwidthGbps: .*; gpus: .*; dnns: /);
    writeFileSync(bad, '{ not json');
    assert.match((await ppipe(['plan', bad])).stderr, /bad\.json: expected JSON/);
    assert.equal((await ppipe(['plan', problemFile, '--algorithm', 'magic'])).code, 2);
  });

  it('--help', async () => {
    const help = await ppipe(['plan', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: ppipe plan/);
  });
});
