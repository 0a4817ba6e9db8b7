// The built web UI served at / on a real server: files by name with their content types, hashed assets cached
// for good, index.html for every page URL, nothing outside the folder (traversal, links), the API's 404s still
// JSON, and a clear 503 page saying how to build the UI while it is not built.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SecretRedactor, silentLogger } from '../../src/config/index.ts';
import { ApiServer } from '../../src/server/index.ts';
import type { ApiServerDeps } from '../../src/server/index.ts';
import { HttpClient } from './httpClient.ts';
import { UI_INDEX_HTML, UI_SCRIPT, UI_STYLE, writeUiFixture } from './uiFixture.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-static-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A server of the UI in `uiDir` (no other route is asked for). */
function serverOf(uiDir: string): { server: ApiServer; client: HttpClient } {
  const deps = { host: '127.0.0.1', port: 0, log: silentLogger, redactor: new SecretRedactor(), uiDir };
  const server = new ApiServer(deps as unknown as ApiServerDeps);
  return { server, client: new HttpClient(() => server.port) };
}

describe('the built UI', () => {
  const uiDir = writeUiFixture(path.join(dir, 'dist'));
  writeFileSync(path.join(dir, 'secret.txt'), 'not for the web\n');
  mkdirSync(path.join(uiDir, 'assets', 'nested'));
  symlinkSync(path.join(dir, 'secret.txt'), path.join(uiDir, 'assets', 'link.txt'));
  const { server, client } = serverOf(uiDir);
  before(() => server.start());
  after(() => server.stop());

  it('answers every page URL of the UI with its index.html, revalidated on each load', async () => {
    for (const page of [
      '/',
      '/live',
      '/live/front%20door',
      '/cameras',
      '/detections',
      '/cluster',
      '/planner',
      '/no/such/page',
    ]) {
      const reply = await client.request(page);
      assert.deepEqual([reply.status, reply.text], [200, UI_INDEX_HTML], page);
      assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(reply.headers['cache-control'], 'no-cache');
    }
    const login = await client.request('/login');
    assert.deepEqual([login.status, login.headers.location], [303, '/'], 'log-in off: /login leads home');
  });

  it('serves its files with their content types; hashed assets are immutable', async () => {
    const expected: Array<[string, string, string]> = [
      [UI_SCRIPT, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
      [UI_STYLE, 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['/favicon.svg', 'image/svg+xml', 'no-cache'],
    ];
    for (const [file, type, cache] of expected) {
      const reply = await client.request(file);
      assert.deepEqual(
        [reply.status, reply.headers['content-type'], reply.headers['cache-control']],
        [200, type, cache],
        file,
      );
      assert.equal(Number(reply.headers['content-length']), Buffer.byteLength(reply.text));
    }
    const head = await client.request(UI_SCRIPT, { method: 'HEAD' });
    assert.deepEqual([head.status, head.text], [200, '']);
  });

  it('a missing file is 404, never the page (a broken script reference must not load HTML)', async () => {
    for (const file of ['/assets/index-gone.js', '/assets/', '/robots.txt', '/assets/nested']) {
      const reply = await client.request(file);
      assert.equal(reply.status, 404, file);
      assert.doesNotMatch(reply.text, /<div id="root">/);
    }
  });

  it('serves nothing outside its folder: no traversal, no link leading out', async () => {
    for (const route of [
      '/../secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/link.txt',
      '/assets/x%00.js',
    ]) {
      const reply = await client.request(route);
      assert.ok([400, 404].includes(reply.status), `${route}: ${reply.status}`);
      assert.doesNotMatch(reply.text, /not for the web/, route);
    }
  });

  it("the API's unknown routes stay JSON 404s", async () => {
    for (const route of ['/api/nowhere', '/api']) {
      const reply = await client.request(route);
      assert.equal(reply.status, 404, route);
      assert.deepEqual(JSON.parse(reply.text), { error: `no route GET ${route}` });
    }
  });
});

describe('the UI not built', () => {
  const { server, client } = serverOf(path.join(dir, 'never-built'));
  before(() => server.start());
  after(() => server.stop());

  it('pages answer 503 with a page saying how to build it', async () => {
    for (const page of ['/', '/cluster']) {
      const reply = await client.request(page);
      assert.equal(reply.status, 503, page);
      assert.match(String(reply.headers['content-type']), /^text\/html/);
      assert.match(reply.text, /The web UI is not built/);
      assert.match(reply.text, /npm run build:ui/);
    }
    assert.equal((await client.request(UI_SCRIPT)).status, 404);
  });
});
