// The admin log-in (issue 16, item 3), on a real server bound to 127.0.0.1 with auth required: nothing is served
// without it, the first password needs the setup code from the log, the password is kept as an scrypt hash in a
// private file, log-ins are rate-limited per address, the session cookie is HttpOnly and SameSite=Strict, bearer
// tokens work until revoked, and no answer ever contains the hash or a token after its creation.
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { parseAppConfig, SecretRedactor, sha256Hex, silentLogger } from '../../src/config/index.ts';
import { ApiServer, ApplianceMetrics, Authenticator, LiveFeed } from '../../src/server/index.ts';
import type { ApiServerDeps, CameraService } from '../../src/server/index.ts';
import { LOGIN_ATTEMPTS_PER_WINDOW, LOGIN_WINDOW_MS } from '../../src/server/auth.ts';
import type { ScryptRecord } from '../../src/server/auth.ts';
import { HttpClient } from './httpClient.ts';
import type { Reply } from './httpClient.ts';
import { UI_INDEX_HTML, UI_SCRIPT, writeUiFixture } from './uiFixture.ts';

const PASSWORD = 'correct horse battery staple';
const SESSION_MS = 3_600_000;

describe('auth: log-in required on loopback', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-auth-'));
  const file = path.join(dir, 'auth.json');
  const lines: Array<{ msg: string; setupCode?: string }> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as never) });
  let nowMs = Date.now();
  const auth = new Authenticator({ file, adminPassword: undefined, sessionMs: SESSION_MS, log, nowMs: () => nowMs });
  const live = new LiveFeed(() => ({ type: 'snapshot', topic: 'ppipe/snapshot', cameras: [], detections: [] }));
  const metrics = new ApplianceMetrics();
  // Only GET /api/cameras and /metrics are routed past the log-in below.
  const cameras = { list: () => [] } as unknown as CameraService;
  const uiDir = writeUiFixture(path.join(dir, 'ui'));
  const redactor = new SecretRedactor();
  const deps = { host: '127.0.0.1', port: 0, cameras, live, metrics, log, auth, redactor, uiDir };
  const server = new ApiServer(deps as unknown as ApiServerDeps);
  const client = new HttpClient(() => server.port);
  const origin = (): string => `http://127.0.0.1:${server.port}`;
  const json = (
    body: unknown,
    headers: Record<string, string> = {},
  ): { headers: Record<string, string>; body: string } => ({
    headers: { 'content-type': 'application/json', origin: origin(), ...headers },
    body: JSON.stringify(body),
  });
  const cookieOf = (reply: Reply): string => String(reply.headers['set-cookie']?.[0]).split(';')[0]!;
  let session = '';
  let token = '';

  before(async () => {
    await auth.start();
    live.start();
    await server.start();
  });
  after(async () => {
    await server.stop();
    await live.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("without a log-in the API, the metrics and the live feed answer 401, the UI's pages lead to /login", async () => {
    for (const route of ['/api/cameras', '/metrics', '/api/stats', '/api/auth/tokens'])
      assert.equal((await client.request(route)).status, 401, route);
    const live = await client.openLive();
    assert.deepEqual([live.opened, !live.opened && live.status], [false, 401]);
    for (const route of ['/', '/cluster', '/live/front']) {
      const home = await client.request(route);
      assert.deepEqual([home.status, home.headers.location], [303, '/login'], route);
    }
    const page = await client.request('/login');
    assert.deepEqual([page.status, page.text], [200, UI_INDEX_HTML], "the UI's own log-in page");
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    for (const open of [UI_SCRIPT, '/favicon.svg'])
      assert.equal((await client.request(open)).status, 200, `${open}: what the log-in page loads is public`);
    assert.equal((await client.request('/elsewhere.js')).status, 401, 'other files are not');
    const status = await client.request('/api/auth/status');
    assert.deepEqual(JSON.parse(status.text), {
      auth: 'required',
      authenticated: false,
      setupRequired: true,
      minPasswordLength: 10,
    });
  });

  it('the first password is set only with the one-time setup code printed in the log', async () => {
    const setupCode = lines.find((l) => l.setupCode !== undefined)?.setupCode;
    assert.ok(setupCode && setupCode.length >= 16, 'the log shows the setup code');
    const login = await client.request('/api/auth/login', { method: 'POST', ...json({ password: PASSWORD }) });
    assert.equal(login.status, 409, 'no password to log in with yet');
    const guessed = await client.request('/api/auth/setup', {
      method: 'POST',
      ...json({ setupCode: 'guess', password: PASSWORD }),
      localAddress: '127.0.0.4',
    });
    assert.equal(guessed.status, 401);
    const form = new URLSearchParams({ setupCode, password: PASSWORD, repeat: PASSWORD }).toString();
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
    const foreign = await client.request('/api/auth/setup', {
      method: 'POST',
      headers: { ...formHeaders, origin: 'http://evil.example' },
      body: form,
    });
    assert.equal(foreign.status, 403, "another site's page cannot post the form");
    const done = await client.request('/api/auth/setup', {
      method: 'POST',
      headers: { ...formHeaders, origin: origin() },
      body: form,
    });
    assert.deepEqual([done.status, done.headers.location], [303, '/'], done.text);
    session = cookieOf(done);
    const again = await client.request('/api/auth/setup', {
      method: 'POST',
      ...json({ setupCode, password: 'x'.repeat(12) }),
    });
    assert.equal(again.status, 409, 'the code works once');
  });

  it('the stored file is private and holds an scrypt hash of the password, not the password', () => {
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(PASSWORD));
    const { admin } = JSON.parse(text) as { admin: ScryptRecord };
    assert.equal(admin.algorithm, 'scrypt');
    const key = scryptSync(PASSWORD, Buffer.from(admin.salt, 'base64'), admin.keyLength, {
      N: admin.N,
      r: admin.r,
      p: admin.p,
      maxmem: 256 * admin.N * admin.r,
    });
    assert.equal(key.toString('base64'), admin.hash, 'the hash is scrypt(password, salt) with the stored cost');
  });

  it('the session cookie is HttpOnly and SameSite=Strict, and opens the API and the live feed', async () => {
    const login = await client.request('/api/auth/login', { method: 'POST', ...json({ password: PASSWORD }) });
    assert.equal(login.status, 200, login.text);
    const cookie = String(login.headers['set-cookie']?.[0]);
    assert.match(cookie, /^ppipe_session=[A-Za-z0-9_-]{40,}; /);
    for (const attribute of ['HttpOnly', 'SameSite=Strict', 'Path=/', `Max-Age=${SESSION_MS / 1000}`])
      assert.ok(cookie.split('; ').includes(attribute), `${attribute} in ${cookie}`);
    session = cookieOf(login);
    const cameras = await client.request('/api/cameras', { headers: { cookie: session } });
    assert.deepEqual([cameras.status, cameras.text], [200, '{"items":[]}']);
    assert.equal((await client.request('/metrics', { headers: { cookie: session } })).status, 200);
    const live = await client.openLive({ cookie: session, origin: origin() });
    assert.equal(live.opened, true);
    const status = await client.request('/api/auth/status', { headers: { cookie: session } });
    assert.deepEqual(JSON.parse(status.text), {
      auth: 'required',
      authenticated: true,
      setupRequired: false,
      minPasswordLength: 10,
    });
    const page = await client.request('/cluster', { headers: { cookie: session } });
    assert.deepEqual([page.status, page.text], [200, UI_INDEX_HTML], "logged in: the UI's pages");
    const again = await client.request('/login', { headers: { cookie: session } });
    assert.deepEqual([again.status, again.headers.location], [303, '/'], 'logged in: /login leads home');
  });

  it('a state-changing request with the session cookie but no Origin is refused', async () => {
    const forged = await client.request('/api/auth/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session },
      body: JSON.stringify({ name: 'forged' }),
    });
    assert.equal(forged.status, 403);
    assert.deepEqual(JSON.parse((await client.request('/api/auth/tokens', { headers: { cookie: session } })).text), {
      items: [],
    });
  });

  it('a bearer token made by the admin works for the API and the live feed until it is revoked', async () => {
    const created = await client.request('/api/auth/tokens', {
      method: 'POST',
      ...json({ name: 'grafana' }, { cookie: session }),
    });
    assert.equal(created.status, 201, created.text);
    const body = JSON.parse(created.text) as { id: string; name: string; token: string };
    token = body.token;
    assert.match(token, /^ppipe_[A-Za-z0-9_-]{43}$/);
    const bearer = { authorization: `Bearer ${token}` };
    assert.equal((await client.request('/api/cameras', { headers: bearer })).status, 200);
    assert.equal((await client.openLive(bearer)).opened, true);
    const minted = await client.request('/api/auth/tokens', { method: 'POST', ...json({ name: 'more' }, bearer) });
    assert.equal(minted.status, 403, 'a token cannot make tokens');
    const list = await client.request('/api/auth/tokens', { headers: { cookie: session } });
    assert.deepEqual(
      (JSON.parse(list.text) as { items: Array<{ id: string; name: string }> }).items.map((t) => [t.id, t.name]),
      [[body.id, 'grafana']],
    );
    const revoked = await client.request(`/api/auth/tokens/${body.id}`, {
      method: 'DELETE',
      headers: { cookie: session, origin: origin() },
    });
    assert.equal(revoked.status, 204);
    assert.equal((await client.request('/api/cameras', { headers: bearer })).status, 401);
    const live = await client.openLive(bearer);
    assert.deepEqual([live.opened, !live.opened && live.status], [false, 401]);
  });

  it('wrong passwords are 401, then 429 with Retry-After after the allowed tries, per address and window', async () => {
    const attempt = (password: string, localAddress: string): Promise<Reply> =>
      client.request('/api/auth/login', { method: 'POST', ...json({ password }), localAddress });
    for (let i = 0; i < LOGIN_ATTEMPTS_PER_WINDOW; i++)
      assert.equal((await attempt('wrong password', '127.0.0.3')).status, 401, `try ${i + 1}`);
    const limited = await attempt(PASSWORD, '127.0.0.3');
    assert.equal(limited.status, 429, 'even the right password waits');
    const retryAfterS = Number(limited.headers['retry-after']);
    assert.ok(retryAfterS > 0 && retryAfterS <= LOGIN_WINDOW_MS / 1000, `Retry-After: ${retryAfterS}`);
    assert.equal((await attempt(PASSWORD, '127.0.0.5')).status, 200, 'another address is not held up');
    nowMs += LOGIN_WINDOW_MS + 1000;
    assert.equal((await attempt(PASSWORD, '127.0.0.3')).status, 200, 'after the window');
  });

  it('a form log-in with the wrong password leads back to /login with the reason in the query', async () => {
    const post = (body: string): Promise<Reply> =>
      client.request('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: origin() },
        body,
        localAddress: '127.0.0.6',
      });
    const errorOf = (reply: Reply): string | null => {
      assert.equal(reply.status, 303);
      const location = new URL(String(reply.headers.location), origin());
      assert.equal(location.pathname, '/login');
      return location.searchParams.get('error');
    };
    assert.match(errorOf(await post('password=nope')) ?? '', /wrong password/);
    assert.match(errorOf(await post('password=nope&%3Cscript%3E=1')) ?? '', /<script>/, 'names the unknown field');
  });

  it('sessions expire, and log-out ends one', async () => {
    const login = await client.request('/api/auth/login', { method: 'POST', ...json({ password: PASSWORD }) });
    const fresh = cookieOf(login);
    const out = await client.request('/api/auth/logout', {
      method: 'POST',
      headers: { cookie: fresh, origin: origin() },
    });
    assert.equal(out.status, 204);
    assert.match(String(out.headers['set-cookie']?.[0]), /Max-Age=0/);
    assert.equal((await client.request('/api/cameras', { headers: { cookie: fresh } })).status, 401);
    assert.equal((await client.request('/api/cameras', { headers: { cookie: session } })).status, 200);
    nowMs += SESSION_MS;
    assert.equal((await client.request('/api/cameras', { headers: { cookie: session } })).status, 401);
  });

  it('no answer ever contained the password hash, its salt, a token after its creation, or its hash', () => {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { admin: ScryptRecord };
    const creation = client.transcript.filter((text) => text.includes(token));
    assert.equal(creation.length, 1, 'the token appears in its creation answer only');
    const tokenHash = sha256Hex(Buffer.from(token));
    for (const text of client.transcript) {
      assert.ok(!text.includes(stored.admin.hash) && !text.includes(stored.admin.salt));
      assert.ok(!text.includes(tokenHash));
      assert.ok(!text.includes(PASSWORD));
    }
  });
});

describe('auth: the password from PPIPE_ADMIN_PASSWORD, and bad input', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-auth-env-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const options = (
    file: string,
    adminPassword: string | undefined,
  ): ConstructorParameters<typeof Authenticator>[0] => ({
    file: path.join(dir, file),
    adminPassword,
    sessionMs: SESSION_MS,
    log: silentLogger,
  });

  it('PPIPE_ADMIN_PASSWORD is the password: stored hashed, replaced when it changes, no setup code', async () => {
    const first = new Authenticator(options('env.json', PASSWORD));
    await first.start();
    assert.equal(first.setupRequired, false);
    await first.login(PASSWORD, '127.0.0.1');
    const before = readFileSync(path.join(dir, 'env.json'), 'utf8');
    assert.ok(!before.includes(PASSWORD));
    const changed = new Authenticator(options('env.json', 'another long password'));
    await changed.start();
    await assert.rejects(changed.login(PASSWORD, '127.0.0.1'), /wrong password/);
    await changed.login('another long password', '127.0.0.1');
  });

  it('a short PPIPE_ADMIN_PASSWORD or a damaged credentials file stops the start with a clear error', async () => {
    await assert.rejects(new Authenticator(options('short.json', 'short')).start(), {
      message: 'PPIPE_ADMIN_PASSWORD: expected at least 10 characters',
    });
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ version: 1, admin: { algorithm: 'md5' }, tokens: [] }));
    await assert.rejects(new Authenticator(options('bad.json', undefined)).start(), (error: Error) => {
      assert.match(error.message, /bad\.json: admin\.algorithm: /);
      return true;
    });
  });

  it('server.auth off is refused beyond loopback, and allowedHosts takes names without scheme or port', () => {
    const parse = (server: unknown): unknown => parseAppConfig('config.yaml', { version: 1, server }, {});
    assert.throws(() => parse({ host: '0.0.0.0', auth: 'off' }), /server\.auth: off is allowed only on loopback/);
    assert.throws(
      () => parse({ allowedHosts: ['http://ppipe.local:8080'] }),
      /server\.allowedHosts\[0\]: expected a host name/,
    );
    assert.doesNotThrow(() => parse({ host: '127.0.0.1', auth: 'off', allowedHosts: ['ppipe.local', '[fd00::20]'] }));
  });
});
