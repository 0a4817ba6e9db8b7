// The command-line contract of `ppipe plan` and `ppipe check` (issue: other checks depend on it), run as a
// real process through bin/ppipe.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FIXTURE_PROFILES } from '../artifactData.ts';
import { REPO_ROOT } from '../helpers.ts';

const run = promisify(execFile);
const PPIPE = path.join(REPO_ROOT, 'bin', 'ppipe');

async function ppipe(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(PPIPE, args, { cwd: tmpdir() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('ppipe plan / check', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-cli-'));
  const problemFile = path.join(dir, 'problem.json');
  // The exact shape the planner issue requires, with profiles relative to the problem file's folder.
  writeFileSync(problemFile, JSON.stringify({
    profiles: path.relative(dir, FIXTURE_PROFILES),
    algorithm: 'ppipe', maxPartitions: 2, bandwidthGbps: 10, batchBuildFactor: 1.3,
    gpus: [{ type: 'L4', count: 25, mpsLevels: 4, gpusPerServer: 4 }, { type: 'T4', count: 75, mpsLevels: 4, gpusPerServer: 2 }],
    dnns: [
      { name: 'colorization-v2', weight: 0.30, sloUs: 71752.36, marginUs: 28701, estXput: 837.36 },
      { name: 'googlenet-v3-pytorch', weight: 0.33 },
      { name: 'repvgg-b3', weight: 0.37 },
    ],
  }));

  it('--json prints exactly one JSON object; --out writes a plan that check accepts; artifact format too', async () => {
    const planFile = path.join(dir, 'plan.json');
    const result = await ppipe(['plan', problemFile, '--json', '--out', planFile]);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as { objective: number; status: string; seconds: number; plan: { format: string } };
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

  it('check exits non-zero and names each violation', async () => {
    const planFile = path.join(dir, 'bad-plan.json');
    const result = await ppipe(['plan', problemFile, '--json']);
    const plan = (JSON.parse(result.stdout) as { plan: { dnns: Array<{ pipelines: Array<{ partitions: Array<{ inferUs: number }> }> }> } }).plan;
    plan.dnns[0]!.pipelines[0]!.partitions[0]!.inferUs = 1;
    writeFileSync(planFile, JSON.stringify(plan));
    const check = await ppipe(['check', planFile, '--problem', problemFile]);
    assert.equal(check.code, 1);
    assert.match(check.stderr, /dnns\[0\] \(colorization-v2\)\.pipelines\[0\]\.partitions\[0\]\.inferUs: profiles give/);
  });

  it('bad input gets a clear error: unknown model, malformed problem, bad options', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ profiles: FIXTURE_PROFILES, bandwidthGbps: 10, gpus: [{ type: 'L4', count: 1 }], dnns: [{ name: 'resnet-999' }] }));
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

  it('every command has --help', async () => {
    for (const command of ['plan', 'check', 'start']) {
      const help = await ppipe([command, '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`Usage: ppipe ${command}`));
    }
  });
});
