// Stopping the appliance while a browser keeps the live feed open: the feed's WebSockets are upgraded
// sockets the HTTP server no longer tracks, so they must be closed before the server waits for its
// connections, or the stop (SIGTERM of `ppipe start`) hangs until the client gives up.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import pino from 'pino';
import { WebSocket } from 'ws';
import { Appliance } from '../src/appliance.ts';
import { MODEL } from './applianceSupport.ts';

/** Generous: a stop with nothing to wait for takes milliseconds. */
const STOP_BOUND_MS = 10_000;

it('stops promptly while a live feed client is connected, closing its socket', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-appliance-stop-'));
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    `version: 1\nmodels:\n  - { id: blazeface, kind: blazeface, path: ${MODEL} }\ncameras: []\nserver:\n  port: 0\n`,
  );
  const appliance = new Appliance({ configFile, dataDir: path.join(dir, 'data'), logger: pino({ level: 'silent' }) });
  try {
    await appliance.start();
    const client = new WebSocket(`ws://127.0.0.1:${appliance.port}/api/live`);
    await new Promise<void>((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      appliance.stop().then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), STOP_BOUND_MS))),
    ]);
    clearTimeout(timer);
    client.terminate();
    assert.ok(stopped, `the appliance did not stop within ${STOP_BOUND_MS} ms with a live client connected`);
    await closed;
  } finally {
    await appliance.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
