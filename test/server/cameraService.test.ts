// The camera API's semantics on a real appliance (real HTTP, ffmpeg, SQLite file, YAML file): PATCH changes only
// the fields given, PUT replaces the camera, concurrent changes are serialised so that the running cameras, the
// API and the config file agree, duplicates are 409, a malformed path is 400, and errors name the field, never
// a file of the server.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { Appliance } from '../../src/appliance.ts';
import { loadAppConfig } from '../../src/config/index.ts';
import type { CameraView, ErrorResponse } from '../../src/server/api.ts';
import { ASTRONAUT, MODEL, runDuringSuite } from '../applianceSupport.ts';

type Reply = { status: number; json: unknown; text: string };

describe('camera API semantics', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-camera-api-'));
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    `version: 1
ingest:
  backoffInitialMs: 100
models:
  - { id: blazeface, kind: blazeface, path: ${MODEL} }
  - { id: faces, kind: blazeface, path: ${MODEL} }   # not the default model, so that a reset shows
cameras: []
store:
  dataDir: data
server:
  port: 0
`,
  );
  const appliance = new Appliance({ configFile, logger: pino({ level: 'silent' }) });
  const baseUrl = runDuringSuite(appliance, dir);
  const api = async (method: string, route: string, body?: unknown): Promise<Reply> => {
    const res = await fetch(baseUrl() + route, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null, text };
  };
  const errorOf = (reply: Reply): string => (reply.json as ErrorResponse).error;
  const issuesOf = (reply: Reply): ErrorResponse['issues'] => (reply.json as ErrorResponse).issues;
  /** The camera entries of the config file as written (raw YAML, before defaults). */
  const fileCameras = (): Array<Record<string, unknown>> =>
    (parseYaml(readFileSync(configFile, 'utf8')) as { cameras: Array<Record<string, unknown>> }).cameras;
  /** The camera ids the registry runs, the API lists and the config file holds must be the same. */
  const assertAgree = async (context: string): Promise<string[]> => {
    const running = appliance.cameras.ids().sort();
    const listed = ((await api('GET', '/api/cameras')).json as { items: CameraView[] }).items.map((c) => c.id).sort();
    const inFile = loadAppConfig(configFile, {})
      .cameras.map((c) => c.id)
      .sort();
    assert.deepEqual(listed, inFile, `${context}: the API and the config file`);
    assert.deepEqual(running, inFile, `${context}: the running cameras and the config file`);
    return inFile;
  };
  const settingsOf = (camera: CameraView): Partial<CameraView> => {
    const { name, url, fps, width, height, model, enabled } = camera;
    return { name, url, fps, width, height, model, enabled };
  };

  it('PATCH changes only the fields given, in the answer and in the file', async () => {
    const camera = {
      id: 'door',
      url: `image:${ASTRONAUT}`,
      fps: 2,
      width: 320,
      height: 240,
      model: 'faces',
      enabled: false,
    };
    assert.equal((await api('POST', '/api/cameras', camera)).status, 201);
    const patched = await api('PATCH', '/api/cameras/door', { name: 'Front door' });
    assert.equal(patched.status, 200, patched.text);
    const expected = { ...camera, name: 'Front door' };
    const { id: _id, ...settings } = expected;
    assert.deepEqual(settingsOf(patched.json as CameraView), settings);
    assert.deepEqual(settingsOf((await api('GET', '/api/cameras/door')).json as CameraView), settings);
    // POST wrote the schema's defaults of the fields not sent (rtspTransport, objects, zones) into the file too
    const inFile = { ...expected, rtspTransport: 'auto', objects: { filters: {}, mask: [] }, zones: {} };
    assert.deepEqual(
      fileCameras().find((c) => c.id === 'door'),
      inFile,
      'the file holds the fields sent, nothing reset',
    );
    const loaded = loadAppConfig(configFile, {}).cameras.find((c) => c.id === 'door');
    assert.deepEqual(loaded, inFile);
    assert.equal(appliance.cameras.get('door')?.stats().status, 'disabled', 'still disabled');
  });

  it('PUT replaces the camera: the fields not sent take their defaults; the id is the path', async () => {
    const replaced = await api('PUT', '/api/cameras/door', { url: `image:${ASTRONAUT}`, fps: 3, enabled: false });
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual(settingsOf(replaced.json as CameraView), {
      name: 'door',
      url: `image:${ASTRONAUT}`,
      fps: 3,
      width: null,
      height: null,
      model: 'blazeface',
      enabled: false,
    });
    const door = {
      id: 'door',
      url: `image:${ASTRONAUT}`,
      fps: 3,
      model: 'blazeface',
      enabled: false,
      rtspTransport: 'auto',
      objects: { filters: {}, mask: [] },
      zones: {},
    };
    assert.deepEqual(
      loadAppConfig(configFile, {}).cameras.find((c) => c.id === 'door'),
      door,
    );
    assert.deepEqual(Object.keys(fileCameras().find((c) => c.id === 'door')!).sort(), Object.keys(door).sort());
    const withId = await api('PUT', '/api/cameras/door', { id: 'door', url: `image:${ASTRONAUT}`, enabled: false });
    assert.equal(withId.status, 200, withId.text);
    assert.equal((withId.json as CameraView).fps, 5, 'fps back to its default');

    const before = readFileSync(configFile, 'utf8');
    const otherId = await api('PUT', '/api/cameras/door', { id: 'porch', url: `image:${ASTRONAUT}` });
    assert.equal(otherId.status, 400);
    assert.match(errorOf(otherId), /^id: /);
    assert.deepEqual(
      issuesOf(otherId)?.map((i) => i.path),
      [['id']],
    );
    const noUrl = await api('PUT', '/api/cameras/door', { fps: 2 });
    assert.equal(noUrl.status, 400);
    assert.match(errorOf(noUrl), /url/);
    assert.deepEqual(
      issuesOf(noUrl)?.map((i) => i.path),
      [['url']],
      "the body's issue names its field",
    );
    const twoBad = await api('PATCH', '/api/cameras/door', { fps: 0, model: 7 });
    assert.equal(twoBad.status, 400);
    assert.deepEqual(
      issuesOf(twoBad)
        ?.map((i) => i.path)
        .sort(),
      [['fps'], ['model']],
      'every field at once',
    );
    assert.match(errorOf(twoBad), /^invalid request body: .*fps: .*; model: /, 'and a one-line summary');
    const unknownModel = await api('PATCH', '/api/cameras/door', { model: 'yolo-x' });
    assert.deepEqual(issuesOf(unknownModel), [
      { path: ['model'], message: 'unknown model "yolo-x"; models are blazeface, faces' },
    ]);
    const unknown = await api('PUT', '/api/cameras/nope', { url: `image:${ASTRONAUT}` });
    assert.equal(unknown.status, 404);
    assert.equal(readFileSync(configFile, 'utf8'), before, 'refused changes write nothing');
  });

  it("a camera's view holds its objects and zones; a zone named like a camera is refused by field", async () => {
    const zones = {
      driveway: {
        coordinates: [
          [0, 0],
          [100, 0],
          [100, 80],
        ] as Array<[number, number]>,
      },
    };
    const objects = {
      track: ['face'],
      filters: {},
      mask: [
        [
          [10, 10],
          [20, 10],
          [20, 20],
        ],
      ],
    };
    const patched = await api('PATCH', '/api/cameras/door', { zones, objects });
    assert.equal(patched.status, 200, patched.text);
    for (const view of [patched.json, (await api('GET', '/api/cameras/door')).json] as CameraView[])
      assert.deepEqual([view.zones, view.objects], [zones, objects]);
    const before = readFileSync(configFile, 'utf8');
    const clash = await api('PATCH', '/api/cameras/door', { zones: { door: zones.driveway } });
    assert.equal(clash.status, 400, clash.text);
    assert.deepEqual(issuesOf(clash), [
      {
        path: ['zones', 'door'],
        message: 'zone "door" has the id of a camera (their MQTT topics would collide); rename the zone',
      },
    ]);
    assert.equal(readFileSync(configFile, 'utf8'), before);
  });

  it('a PATCH racing a DELETE leaves the running cameras, the API and the file in agreement', async () => {
    for (let round = 0; round < 4; round++) {
      const id = `race-${round}`;
      // Odd rounds enable a disabled camera, which probes its source before writing (a longer race window).
      const enabling = round % 2 === 1;
      const added = await api('POST', '/api/cameras', { id, url: `image:${ASTRONAUT}`, fps: 2, enabled: !enabling });
      assert.equal(added.status, 201, added.text);
      const [patched, deleted] = await Promise.all([
        api('PATCH', `/api/cameras/${id}`, enabling ? { enabled: true } : { name: `Race ${round}` }),
        api('DELETE', `/api/cameras/${id}`),
      ]);
      assert.equal(deleted.status, 204, deleted.text);
      assert.ok([200, 404].includes(patched.status), `PATCH: ${patched.status} ${patched.text}`);
      const ids = await assertAgree(`round ${round}`);
      assert.ok(!ids.includes(id), `round ${round}: the deleted camera is gone`);
    }
  });

  it('concurrent POSTs of one id: one 201, the others 409 naming the id', async () => {
    const camera = { id: 'twin', url: `image:${ASTRONAUT}`, fps: 2 };
    const replies = await Promise.all([1, 2, 3].map(() => api('POST', '/api/cameras', camera)));
    const statuses = replies.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409, 409], replies.map((r) => r.text).join('\n'));
    for (const reply of replies.filter((r) => r.status === 409)) {
      assert.equal(errorOf(reply), 'id: camera "twin" exists already');
    }
    assert.equal(fileCameras().filter((c) => c.id === 'twin').length, 1);
    await assertAgree('after the POSTs');
    assert.equal((await api('DELETE', '/api/cameras/twin')).status, 204);
  });

  it('a malformed path is 400 with a clear error', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const reply = await api(method, '/api/cameras/%E0%A4%A', method === 'PATCH' ? { fps: 1 } : undefined);
      assert.equal(reply.status, 400, `${method}: ${reply.text}`);
      assert.match(errorOf(reply), /^path: .*percent/, reply.text);
    }
  });

  it('errors name the field, never a file of the server', async () => {
    const before = readFileSync(configFile, 'utf8');
    // Every string of the file may name an environment variable; one that is not set is the request's fault.
    const unset = await api('POST', '/api/cameras', {
      id: 'vault',
      name: 'Vault ${PPIPE_TEST_NEVER_SET}',
      url: `image:${ASTRONAUT}`,
      enabled: false,
    });
    assert.equal(unset.status, 400, unset.text);
    assert.equal(errorOf(unset), 'name: environment variable PPIPE_TEST_NEVER_SET is not set');
    assert.deepEqual(
      issuesOf(unset),
      [{ path: ['name'], message: 'environment variable PPIPE_TEST_NEVER_SET is not set' }],
      'the config file refused the camera: the path is relative to the camera',
    );
    assert.ok(!unset.text.includes(dir), unset.text);
    const patchedName = await api('PATCH', '/api/cameras/door', { name: '${PPIPE_TEST_NEVER_SET}' });
    assert.equal(patchedName.status, 400, patchedName.text);
    assert.match(errorOf(patchedName), /^name: environment variable PPIPE_TEST_NEVER_SET is not set/);
    assert.equal(readFileSync(configFile, 'utf8'), before);

    // A config file broken behind the appliance's back is the server's fault: 500, and no path in the answer.
    const shed = { id: 'shed', url: `image:${ASTRONAUT}`, enabled: false };
    assert.equal((await api('POST', '/api/cameras', shed)).status, 201);
    const withShed = readFileSync(configFile, 'utf8');
    writeFileSync(configFile, 'cameras: [unclosed\n');
    try {
      const replies = [
        await api('PATCH', '/api/cameras/shed', { fps: 1 }),
        await api('DELETE', '/api/cameras/shed'),
        await api('POST', '/api/cameras', { ...shed, id: 'barn' }),
      ];
      for (const reply of replies) {
        assert.equal(reply.status, 500, reply.text);
        assert.ok(!reply.text.includes(dir) && !reply.text.includes('config.yaml'), reply.text);
      }
    } finally {
      writeFileSync(configFile, withShed);
    }
    await assertAgree('after the refused changes');
  });
});
