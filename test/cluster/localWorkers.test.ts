// Supervised local workers never outlive their supervisor: killed outright (SIGKILL, no chance to stop its
// children), it leaves the worker a closed stdin, and the worker stops on its own.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { it } from 'node:test';
import { REPO_ROOT } from './support.ts';
import { waitFor } from '../helpers.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('a worker whose supervisor is killed stops instead of living on as an orphan', { timeout: 75_000 }, async () => {
  const supervisor = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'test', 'cluster', 'fixtures', 'supervisorProcess.ts')],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  supervisor.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise((resolve) => supervisor.once('exit', resolve));
  let workerPid = 0;
  try {
    await waitFor('the worker pid', () => /^\d+\n/.test(out), 20_000);
    workerPid = Number(out.trim());
    assert.ok(alive(workerPid));
    // The worker gets as far as waiting for work: it has joined the broker and said it is online.
    await waitFor('the worker online on the broker', () => /^online$/m.test(out), 40_000);
  } finally {
    supervisor.kill('SIGKILL');
    await exited;
  }
  // Generous: on a loaded machine the worker may still be loading its modules when its supervisor dies.
  await waitFor('the orphaned worker to stop', () => !alive(workerPid), 45_000);
});
