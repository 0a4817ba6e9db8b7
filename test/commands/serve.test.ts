// `ppipe serve` as a real process through bin/ppipe: help and the failures before the appliance starts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ppipe } from './support.ts';

describe('ppipe serve', () => {
  it('--help', async () => {
    const help = await ppipe(['serve', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: ppipe serve/);
  });

  it('an unknown option exits 2 with the usage', async () => {
    const result = await ppipe(['serve', '--bogus']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Usage: ppipe serve/);
  });
});
