// `ppipe start` and `ppipe serve` as real processes through bin/ppipe: help, and the failures that come
// before anything is served.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ppipe } from './support.ts';

describe('ppipe start', () => {
  it('--help', async () => {
    const help = await ppipe(['start', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: ppipe start/);
  });

  it('a configuration that does not load is named once and exits 1', async () => {
    const bad = path.join(mkdtempSync(path.join(tmpdir(), 'ppipe-start-')), 'bad.yaml');
    writeFileSync(bad, 'server: [not, a, section\n');
    const result = await ppipe(['start', '--config', bad, '--plan-only']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.split(bad).length - 1, 1, result.stderr);
    assert.match(result.stderr, /^ppipe start: .*bad\.yaml: expected YAML/);
  });
});
