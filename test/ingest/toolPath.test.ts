// ffmpeg and ffprobe: the configured path, the system's on PATH, else the binaries shipped in the optional
// registry packages (so the Quick start works without Debian's ffmpeg).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { resolveTool, shippedTool } from '../../src/ingest/index.ts';

describe('resolveTool', () => {
  it('keeps a configured path and a name that is on PATH', () => {
    assert.equal(resolveTool('ffmpeg', '/opt/ffmpeg/bin/ffmpeg'), '/opt/ffmpeg/bin/ffmpeg');
    assert.equal(resolveTool('ffmpeg', 'ffmpeg', '/usr/bin:/bin'), 'ffmpeg');
  });

  it(
    'falls back to the shipped binary, which runs, when PATH has no ffmpeg',
    { skip: shippedTool('ffmpeg') === undefined ? 'the optional package is not installed on this platform' : false },
    () => {
      for (const tool of ['ffmpeg', 'ffprobe'] as const) {
        const resolved = resolveTool(tool, tool, '/nonexistent');
        assert.equal(resolved, shippedTool(tool));
        assert.match(execFileSync(resolved, ['-version'], { encoding: 'utf8' }), new RegExp(`^${tool} version`));
      }
    },
  );
});
