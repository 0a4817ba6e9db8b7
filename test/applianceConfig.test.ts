// The user's settings live in the data folder: the appliance started on read-only defaults copies them there on
// the first change through the API and edits the copy from then on; the defaults are never written.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Appliance } from '../src/appliance.ts';
import { loadAppConfig } from '../src/config/index.ts';
import { MODEL, runDuringSuite } from './applianceSupport.ts';

describe('appliance settings', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-settings-'));
  const defaults = path.join(dir, 'repo', 'config', 'default.yaml');
  const userConfig = path.join(dir, 'data', 'config.yaml');
  mkdirSync(path.dirname(defaults), { recursive: true });
  const defaultsText = `# shipped defaults
version: 1
models:
  - { id: blazeface, kind: blazeface, path: ${path.relative(path.dirname(defaults), MODEL)} }
cameras: []   # cameras come from the API
server:
  port: 0
`;
  writeFileSync(defaults, defaultsText);
  const appliance = new Appliance({
    configFile: defaults,
    editConfigFile: userConfig,
    dataDir: path.join(dir, 'data'),
    logger: pino({ level: 'silent' }),
  });
  const baseUrl = runDuringSuite(appliance, dir);
  const post = (body: unknown): Promise<Response> =>
    fetch(`${baseUrl()}/api/cameras`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });

  it('a text/plain or cross-origin POST (what a web page can send) is refused and writes nothing', async () => {
    const camera = JSON.stringify({ id: 'garage', url: 'rtsp://127.0.0.1:1/stream', enabled: false });
    const plain = await fetch(`${baseUrl()}/api/cameras`, {
      method: 'POST',
      body: camera,
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(plain.status, 415);
    const cross = await fetch(`${baseUrl()}/api/cameras`, {
      method: 'POST',
      body: camera,
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
    });
    assert.equal(cross.status, 403);
    const removal = await fetch(`${baseUrl()}/api/cameras/garage`, {
      method: 'DELETE',
      headers: { origin: 'http://evil.example' },
    });
    assert.equal(removal.status, 403);
    assert.deepEqual(await (await fetch(`${baseUrl()}/api/cameras`)).json(), { items: [] });
    assert.ok(!existsSync(userConfig), 'no copy for a change that was refused');
  });

  it('a bad first change writes nothing; a good one goes to a copy in the data folder', async () => {
    const bad = await post({ id: 'x', url: 'gopher://cam', enabled: false });
    assert.equal(bad.status, 400);
    assert.ok(!existsSync(userConfig), 'no copy for a change that was refused');

    const added = await post({ id: 'garage', url: 'rtsp://127.0.0.1:1/stream', enabled: false });
    assert.equal(added.status, 201, await added.text());
    assert.equal(readFileSync(defaults, 'utf8'), defaultsText, 'the shipped defaults are never written');
    const copy = readFileSync(userConfig, 'utf8');
    assert.match(copy, /# shipped defaults/);
    const loaded = loadAppConfig(userConfig, {});
    assert.deepEqual(
      loaded.cameras.map((c) => c.id),
      ['garage'],
    );
    assert.equal(
      path.resolve(path.dirname(userConfig), loaded.models[0]!.path),
      MODEL,
      'the model path still names the model',
    );

    const removed = await fetch(`${baseUrl()}/api/cameras/garage`, { method: 'DELETE' });
    assert.equal(removed.status, 204);
    assert.deepEqual(loadAppConfig(userConfig, {}).cameras, []);
    assert.equal(readFileSync(defaults, 'utf8'), defaultsText);
  });
});
