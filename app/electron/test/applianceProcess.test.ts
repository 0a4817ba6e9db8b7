import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplianceProcess, ApplianceStartError, listeningUrlOf } from '../src/applianceProcess.js';
import { fakeLaunch, processExists } from './support.js';

const OPTIONS = { listenTimeoutMs: 20_000, stopGraceMs: 5_000 };

describe('listeningUrlOf', () => {
  it('reads the URL of the appliance’s listening line, and nothing else', () => {
    assert.equal(listeningUrlOf('listening on http://127.0.0.1:8080'), 'http://127.0.0.1:8080/');
    assert.equal(listeningUrlOf('listening on http://127.0.0.1:41234\r'), 'http://127.0.0.1:41234/');
    assert.equal(listeningUrlOf('settings: listening on http://127.0.0.1:8080'), undefined);
    assert.equal(listeningUrlOf('listening on ftp://127.0.0.1:21'), undefined);
    assert.equal(listeningUrlOf('listening on http://'), undefined);
    assert.equal(listeningUrlOf('{"msg":"listening"}'), undefined);
  });
});

describe('ApplianceProcess', () => {
  it('resolves with the URL once the appliance listens, which answers; stop ends it with SIGTERM', async () => {
    const appliance = await ApplianceProcess.start(fakeLaunch('listen'), OPTIONS);
    assert.match(appliance.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const response = await fetch(appliance.url);
    assert.equal(await response.text(), 'fake appliance');
    assert.ok(appliance.lastLines().includes('settings: fake; data: fake'));
    const end = await appliance.stop(OPTIONS.stopGraceMs);
    assert.deepEqual(end, { code: 0, signal: null });
    assert.equal(processExists(appliance.pid!), false);
    assert.deepEqual(await appliance.stop(OPTIONS.stopGraceMs), end, 'a second stop reports the same end');
  });

  it('recognises the listening line when it arrives in pieces', async () => {
    const appliance = await ApplianceProcess.start(fakeLaunch('split-line'), OPTIONS);
    try {
      assert.equal((await fetch(appliance.url)).status, 200);
    } finally {
      await appliance.stop(OPTIONS.stopGraceMs);
    }
  });

  it('kills an appliance that ignores SIGTERM once the grace period is over', async () => {
    const appliance = await ApplianceProcess.start(fakeLaunch('ignore-sigterm'), OPTIONS);
    const end = await appliance.stop(300);
    assert.deepEqual(end, { code: null, signal: 'SIGKILL' });
    assert.ok(appliance.lastLines().includes('SIGTERM ignored'), 'SIGTERM came first');
  });

  it('rejects with the exit code and the last lines when the appliance ends before it listens', async () => {
    const error = await ApplianceProcess.start(fakeLaunch('crash'), { ...OPTIONS, keptLines: 5 }).then(
      () => assert.fail('the start succeeded'),
      (reason: unknown) => reason,
    );
    assert.ok(error instanceof ApplianceStartError);
    assert.equal(error.message, 'the appliance exited with code 3 before it listened');
    assert.deepEqual(error.end, { code: 3, signal: null });
    assert.deepEqual(error.lastLines, [
      'log line 57',
      'log line 58',
      'log line 59',
      'log line 60',
      'ppipe start: config.yaml: cameras.0.url: expected a URL',
    ]);
  });

  it('stops an appliance that does not listen within the timeout, then rejects', async () => {
    const options = { listenTimeoutMs: 1_000, stopGraceMs: 5_000 };
    const error = await ApplianceProcess.start(fakeLaunch('silent'), options).then(
      () => assert.fail('the start succeeded'),
      (reason: unknown) => reason,
    );
    assert.ok(error instanceof ApplianceStartError);
    assert.equal(error.message, 'the appliance did not print "listening on" within 1000 ms');
    assert.deepEqual(error.end, { code: null, signal: 'SIGTERM' }, 'the silent appliance was stopped');
  });

  it('stops the appliance and rejects when the start is cancelled', async () => {
    const abort = new AbortController();
    const starting = ApplianceProcess.start(fakeLaunch('silent'), { ...OPTIONS, signal: abort.signal });
    setTimeout(() => abort.abort(), 300);
    await assert.rejects(starting, (error: unknown) => {
      assert.ok(error instanceof ApplianceStartError);
      assert.equal(error.message, 'the start of the appliance was cancelled');
      assert.deepEqual(error.end, { code: null, signal: 'SIGTERM' });
      return true;
    });
  });

  it('rejects with the command when it cannot be run', async () => {
    const launch = { ...fakeLaunch('listen'), command: '/nonexistent/bin/ppipe' };
    await assert.rejects(ApplianceProcess.start(launch, OPTIONS), (error: unknown) => {
      assert.ok(error instanceof ApplianceStartError);
      assert.match(error.message, /^the appliance could not be started \(\/nonexistent\/bin\/ppipe\): .*ENOENT/);
      assert.equal(error.end, undefined);
      return true;
    });
  });
});
