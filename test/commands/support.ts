// Shared by the command tests: an in-memory CommandIo that keeps what a command prints, `ppipe` run as a
// real process through bin/ppipe, and the problem file of the plan and check contracts.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CommandIo } from '../../src/commands/index.ts';
import { FIXTURE_PROFILES } from '../artifactData.ts';
import { REPO_ROOT } from '../helpers.ts';

export function capture(): { io: CommandIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { stdout: (s) => (out += s), stderr: (s) => (err += s) }, out: () => out, err: () => err };
}

const run = promisify(execFile);
const PPIPE = path.join(REPO_ROOT, 'bin', 'ppipe');

export async function ppipe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(PPIPE, args, { cwd: tmpdir(), env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A temporary folder with problem.json: the shape the planner issue requires, profiles relative to it. */
export function problemFolder(): { dir: string; problemFile: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-cli-'));
  const problemFile = path.join(dir, 'problem.json');
  writeFileSync(
    problemFile,
    JSON.stringify({
      profiles: path.relative(dir, FIXTURE_PROFILES),
      algorithm: 'ppipe',
      maxPartitions: 2,
      bandwidthGbps: 10,
      batchBuildFactor: 1.3,
      gpus: [
        { type: 'L4', count: 25, mpsLevels: 4, gpusPerServer: 4 },
        { type: 'T4', count: 75, mpsLevels: 4, gpusPerServer: 2 },
      ],
      dnns: [
        { name: 'colorization-v2', weight: 0.3, sloUs: 71752.36, marginUs: 28701, estXput: 837.36 },
        { name: 'googlenet-v3-pytorch', weight: 0.33 },
        { name: 'repvgg-b3', weight: 0.37 },
      ],
    }),
  );
  return { dir, problemFile };
}
