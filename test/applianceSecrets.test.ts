// Issue 16, item 4: a camera password never leaves the appliance: not in the error bodies of POST /api/cameras
// and test-connection, not in `lastError` of /api/cameras and /api/stats, not in a log line; also when the
// password comes from ${ENV} in the config. Real ffmpeg against an unreachable host, real HTTP, real pino.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Appliance } from '../src/appliance.ts';
import type { CameraView, StatsResponse } from '../src/server/api.ts';
import { MODEL, runDuringSuite } from './applianceSupport.ts';
import { waitFor } from './helpers.ts';

/** Passwords with the characters that defeat a naive redaction ("@" and ":"); each as written and encoded. */
const ENV_PASSWORD = 's3cr@t:env-16';
const API_PASSWORD = 'api-s3cr@t:16';
const LEAKS = [ENV_PASSWORD, API_PASSWORD].flatMap((p) => [p, encodeURIComponent(p)]);

function assertNoSecret(what: string, text: string): void {
  for (const secret of LEAKS) assert.ok(!text.includes(secret), `${what} shows a password: ${text}`);
}

describe('appliance secrets', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-secrets-'));
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    `version: 1
ingest:
  backoffInitialMs: 100
models:
  - { id: blazeface, kind: blazeface, path: ${MODEL} }
cameras:
  - { id: door, url: 'rtsp://user:\${CAM_PASS}@127.0.0.1:1/x', fps: 1 }
store:
  dataDir: data
server:
  port: 0
`,
  );
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  const appliance = new Appliance({ configFile, logger, env: { ...process.env, CAM_PASS: ENV_PASSWORD } });
  const baseUrl = runDuringSuite(appliance, dir);
  const post = async (route: string, body: unknown): Promise<{ status: number; text: string }> => {
    const res = await fetch(baseUrl() + route, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    return { status: res.status, text: await res.text() };
  };

  it('error bodies of POST /api/cameras and test-connection mask the password ffmpeg repeats', async () => {
    const url = `rtsp://admin:${encodeURIComponent(API_PASSWORD)}@127.0.0.1:1/y`;
    const tested = await post('/api/cameras/test-connection', { url });
    assert.equal(tested.status, 200, tested.text);
    assert.match(tested.text, /could not be opened/, 'a safe reason stays');
    assertNoSecret('test-connection', tested.text);
    const added = await post('/api/cameras', { id: 'gate', url });
    assert.equal(added.status, 422, added.text);
    assert.match(added.text, /connection test failed: the source could not be opened/);
    assertNoSecret('POST /api/cameras', added.text);
  });

  it('lastError of /api/cameras and /api/stats masks a password that came from ${ENV}', async () => {
    const cameras = await waitFor('the camera from the config to fail', async () => {
      const body = (await (await fetch(`${baseUrl()}/api/cameras`)).json()) as { items: CameraView[] };
      return body.items.find((c) => c.id === 'door')?.lastError ? body : undefined;
    });
    const door = cameras.items.find((c) => c.id === 'door')!;
    assert.match(door.lastError!, /could not be opened/);
    assert.equal(door.url, 'rtsp://user:***@127.0.0.1:1/x');
    assertNoSecret('/api/cameras', JSON.stringify(cameras));
    const stats = (await (await fetch(`${baseUrl()}/api/stats`)).json()) as StatsResponse;
    assert.ok(stats.cameras.some((c) => c.id === 'door' && c.lastError !== null));
    assertNoSecret('/api/stats', JSON.stringify(stats));
  });

  it('no log line shows a password', () => {
    assert.ok(
      lines.some((line) => line.includes('Connection refused')),
      'the failures were logged',
    );
    for (const line of lines) assertNoSecret('a log line', line);
  });
});
