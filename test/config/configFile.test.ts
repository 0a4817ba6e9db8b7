// The user's settings live in the data folder: the shipped defaults are copied there (comments kept, relative
// paths rebased so that they name the same files) and never written; `--config FILE` is edited in place.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { copyConfigFile, loadAppConfig, locateConfig, replaceCameraInFile } from '../../src/config/index.ts';

const DEFAULTS = `# shipped defaults
version: 1
cameras:
  # the demo camera
  - { id: demo, url: "image:../media/demo.png", model: m }
  - { id: remote, url: "rtsp://cam.local/stream", model: m }
models:
  - { id: m, kind: blazeface, path: ../models/m.onnx }   # a model beside the repository
store:
  dataDir: ../data
mqtt:
  url: mqtt://127.0.0.1:1883
  caFile: /etc/ssl/ca.pem
`;

describe('config files', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'ppipe-config-'));
  const defaults = path.join(root, 'repo', 'config', 'default.yaml');
  mkdirSync(path.dirname(defaults), { recursive: true });
  writeFileSync(defaults, DEFAULTS);
  const dataDir = path.join(root, 'elsewhere', 'data');

  it('reads the defaults until the data folder has a config.yaml, and edits only the data folder', () => {
    assert.deepEqual(locateConfig({ dataDir, defaults }), { read: defaults, edit: path.join(dataDir, 'config.yaml') });
    copyConfigFile(defaults, path.join(dataDir, 'config.yaml'));
    const user = path.join(dataDir, 'config.yaml');
    assert.deepEqual(locateConfig({ dataDir, defaults }), { read: user, edit: user });
    const explicit = path.join(root, 'mine.yaml');
    assert.deepEqual(locateConfig({ explicit, dataDir, defaults }), { read: explicit, edit: explicit });
  });

  it('the copy keeps the comments and every relative path names the same file as before', () => {
    const copy = path.join(dataDir, 'config.yaml');
    const text = readFileSync(copy, 'utf8');
    for (const comment of ['# shipped defaults', '# the demo camera', '# a model beside the repository']) {
      assert.ok(text.includes(comment), comment);
    }
    assert.equal(readFileSync(defaults, 'utf8'), DEFAULTS, 'the defaults are untouched');
    const before = loadAppConfig(defaults, {});
    const after = loadAppConfig(copy, {});
    const resolved = (file: string, value: string): string => path.resolve(path.dirname(file), value);
    assert.equal(resolved(copy, after.models[0]!.path), resolved(defaults, before.models[0]!.path));
    assert.equal(resolved(copy, after.store.dataDir), resolved(defaults, before.store.dataDir));
    const image = (url: string): string => url.replace(/^image:/, '');
    assert.equal(resolved(copy, image(after.cameras[0]!.url)), resolved(defaults, image(before.cameras[0]!.url)));
    assert.equal(after.cameras[1]!.url, 'rtsp://cam.local/stream', 'network URLs stay as they are');
    assert.equal(after.mqtt?.caFile, '/etc/ssl/ca.pem', 'absolute paths stay as they are');
    assert.ok(!existsSync(`${copy}.${process.pid}.tmp`));
  });

  it('replacing a camera drops the keys not given and keeps the comments of the rest', () => {
    const file = path.join(root, 'replace.yaml');
    writeFileSync(
      file,
      `version: 1
cameras:
  - id: door
    name: Front door
    url: rtsp://cam.local/door   # the porch camera
    fps: 2
    width: 640
models:
  - { id: blazeface, kind: blazeface, path: m.onnx }
`,
    );
    const config = replaceCameraInFile(file, 'door', { id: 'door', url: 'rtsp://cam.local/door', fps: 4 }, {});
    assert.deepEqual(config.cameras[0], {
      id: 'door',
      url: 'rtsp://cam.local/door',
      fps: 4,
      model: 'blazeface',
      enabled: true,
      rtspTransport: 'auto',
      objects: { filters: {}, mask: [] },
      zones: {},
    });
    const text = readFileSync(file, 'utf8');
    assert.match(text, /url: rtsp:\/\/cam\.local\/door +# the porch camera/);
    assert.doesNotMatch(text, /name:|width:/);
    assert.throws(() => replaceCameraInFile(file, 'gate', { id: 'gate', url: 'rtsp://cam.local/gate' }, {}), {
      message: `${file}: cameras: no camera "gate"`,
    });
  });
});
