// The request guard against web pages in a browser that can reach the server (issue 16, item 3): a Host that is
// not a name of this server (DNS rebinding) is refused, as is a state-changing request or a live-feed WebSocket
// from another origin, and a body that is not declared application/json.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiServer, LiveFeed } from '../../src/server/index.ts';
import type { ApiServerDeps, CameraService } from '../../src/server/index.ts';
import { allowedHostNames, hostNameOf, isSameOrigin } from '../../src/server/requestGuard.ts';
import { SecretRedactor, silentLogger } from '../../src/config/index.ts';
import { HttpClient } from './httpClient.ts';
import { UI_SCRIPT, writeUiFixture } from './uiFixture.ts';

describe('requestGuard: names and origins', () => {
  it('reads the host name of a Host header, with or without port, IPv6 in brackets', () => {
    assert.equal(hostNameOf('LocalHost:8080'), 'localhost');
    assert.equal(hostNameOf('127.0.0.1'), '127.0.0.1');
    assert.equal(hostNameOf('[::1]:8080'), '::1');
    assert.equal(hostNameOf('ppipe.local.'), 'ppipe.local');
    for (const malformed of ['', 'a:b:c', 'evil.example/x', 'user@127.0.0.1', '127.0.0.1:99999x', '[::1'])
      assert.equal(hostNameOf(malformed), undefined, malformed);
  });

  it('allows loopback names, the configured names, and the listening address when it is not loopback', () => {
    assert.deepEqual(
      [...allowedHostNames('127.0.0.1', ['PPipe.local'])],
      ['localhost', '127.0.0.1', '::1', 'ppipe.local'],
    );
    assert.ok(allowedHostNames('192.168.1.20', []).has('192.168.1.20'));
    const wildcard = allowedHostNames('0.0.0.0', [], () => ['10.0.0.5', 'fe80::1']);
    assert.ok(wildcard.has('10.0.0.5') && wildcard.has('fe80::1'));
    assert.ok(!allowedHostNames('127.0.0.1', []).has('10.0.0.5'));
  });

  it('same origin means scheme http(s) and exactly the host and port the request is addressed to', () => {
    assert.ok(isSameOrigin('http://127.0.0.1:8080', '127.0.0.1:8080'));
    assert.ok(isSameOrigin('https://ppipe.local', 'ppipe.local'));
    assert.ok(isSameOrigin('https://ppipe.local', 'ppipe.local:443'));
    assert.ok(isSameOrigin('http://[::1]:8080', '[::1]:8080'));
    assert.ok(!isSameOrigin('http://localhost:3000', 'localhost:8080'), 'another port is another origin');
    assert.ok(!isSameOrigin('http://evil.example', '127.0.0.1:8080'));
    assert.ok(!isSameOrigin('null', '127.0.0.1:8080'));
    assert.ok(!isSameOrigin('file://', '127.0.0.1:8080'));
    assert.ok(!isSameOrigin('http://127.0.0.1:8080/path', '127.0.0.1:8080'));
  });
});

describe('requestGuard: over HTTP', () => {
  const added: unknown[] = [];
  // Only the routes used below touch their dependencies; the camera service notes what it is asked to add.
  const cameras = {
    list: () => [],
    add: (camera: unknown) => {
      added.push(camera);
      return Promise.resolve(camera);
    },
  } as unknown as CameraService;
  const live = new LiveFeed(() => ({ type: 'snapshot', topic: 'ppipe/snapshot', cameras: [], detections: [] }));
  const deps = {
    host: '127.0.0.1',
    port: 0,
    cameras,
    live,
    log: silentLogger,
    allowedHosts: ['ppipe.local'],
    redactor: new SecretRedactor(),
    uiDir: writeUiFixture(mkdtempSync(path.join(tmpdir(), 'ppipe-ui-'))),
  };
  const server = new ApiServer(deps as unknown as ApiServerDeps);
  const client = new HttpClient(() => server.port);
  before(async () => {
    live.start();
    await server.start();
  });
  after(async () => {
    await server.stop();
    await live.stop();
    rmSync(deps.uiDir, { recursive: true, force: true });
  });
  const camera = JSON.stringify({ id: 'garage', url: 'rtsp://127.0.0.1:1/stream', enabled: false });

  it('a Host that is not a name of this server is refused (DNS rebinding), on requests and the live feed', async () => {
    const rebound = await client.request('/api/cameras', { headers: { host: 'evil.example' } });
    assert.equal(rebound.status, 421);
    assert.match(JSON.parse(rebound.text).error, /Host "evil.example" is not a name of this server/);
    const ws = await client.openLive({ host: 'evil.example:8080' });
    assert.deepEqual([ws.opened, !ws.opened && ws.status], [false, 421]);
    const configured = await client.request('/api/cameras', { headers: { host: 'ppipe.local:8080' } });
    assert.equal(configured.status, 200, configured.text);
    assert.equal((await client.request('/api/cameras', { headers: { host: 'localhost' } })).status, 200);
  });

  it('a text/plain POST is refused with 415 before anything is added', async () => {
    const reply = await client.request('/api/cameras', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: camera,
    });
    assert.equal(reply.status, 415);
    assert.deepEqual(JSON.parse(reply.text), { error: 'content-type: expected application/json, got text/plain' });
    const none = await client.request('/api/cameras', { method: 'POST', body: camera });
    assert.equal(none.status, 415, 'no content-type at all is refused too');
    assert.deepEqual(added, []);
  });

  it('a POST from another origin is 403; from this one, or without Origin (not a browser), it is served', async () => {
    const post = (origin?: string): ReturnType<HttpClient['request']> =>
      client.request('/api/cameras', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
        body: camera,
      });
    const cross = await post('http://evil.example');
    assert.equal(cross.status, 403);
    assert.match(JSON.parse(cross.text).error, /Origin "http:\/\/evil.example" is not this server's/);
    assert.equal((await post('http://localhost:3000')).status, 403, 'another port on this box is another origin');
    assert.deepEqual(added, []);
    assert.equal((await post(`http://127.0.0.1:${server.port}`)).status, 201);
    assert.equal((await post()).status, 201);
    assert.equal(added.length, 2);
  });

  it('the live feed refuses a WebSocket from another origin and accepts this one and non-browser clients', async () => {
    const foreign = await client.openLive({ origin: 'http://evil.example' });
    assert.equal(foreign.opened, false);
    assert.equal(!foreign.opened && foreign.status, 403);
    const own = await client.openLive({ origin: `http://127.0.0.1:${server.port}` });
    assert.equal(own.opened && JSON.parse(own.first).type, 'snapshot');
    const plain = await client.openLive();
    assert.equal(plain.opened, true);
  });

  it('pages carry a strict Content-Security-Policy and their script is a file of its own', async () => {
    const page = await client.request('/');
    const policy = String(page.headers['content-security-policy']);
    assert.match(policy, /^default-src 'self';/);
    assert.doesNotMatch(policy, /unsafe-eval|unsafe-inline/);
    assert.match(policy, /img-src 'self' data: blob:/, 'live frames as data: and blob: URLs');
    assert.doesNotMatch(page.text, /<script>|<style>| on[a-z]+=/i, 'no inline script or style');
    assert.equal((await client.request(UI_SCRIPT)).status, 200);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
  });
});
