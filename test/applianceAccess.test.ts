// The appliance with `server.auth: required` on loopback and the password from PPIPE_ADMIN_PASSWORD: the API
// answers only a logged-in admin or a bearer token, and the credentials file sits in the data folder.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Appliance } from '../src/appliance.ts';
import { MODEL, runDuringSuite } from './applianceSupport.ts';

describe('appliance access', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-access-'));
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    `version: 1
models:
  - { id: blazeface, kind: blazeface, path: ${MODEL} }
cameras: []
store:
  dataDir: data
server:
  port: 0
  auth: required
`,
  );
  const password = 'an admin password';
  const appliance = new Appliance({
    configFile,
    env: { PPIPE_ADMIN_PASSWORD: password },
    logger: pino({ level: 'silent' }),
  });
  const baseUrl = runDuringSuite(appliance, dir);

  it('asks for a log-in, and serves the admin and the bearer token the admin made', async () => {
    assert.equal((await fetch(`${baseUrl()}/api/cameras`)).status, 401);
    const login = await fetch(`${baseUrl()}/api/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ password }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(login.status, 200);
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const created = await fetch(`${baseUrl()}/api/auth/tokens`, {
      method: 'POST',
      body: JSON.stringify({ name: 'script' }),
      headers: { 'content-type': 'application/json', cookie, origin: baseUrl() },
    });
    assert.equal(created.status, 201);
    const { token } = (await created.json()) as { token: string };
    const added = await fetch(`${baseUrl()}/api/cameras`, {
      method: 'POST',
      body: JSON.stringify({ id: 'garage', url: 'rtsp://127.0.0.1:1/stream', enabled: false }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    assert.equal(added.status, 201, await added.text());
    const file = path.join(dir, 'data', 'auth.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(!readFileSync(file, 'utf8').includes(password) && !readFileSync(file, 'utf8').includes(token));
  });
});
