// Connection tests through the camera registry with the real ffprobe: a lavfi URL cannot write files (issue
// 16, defect 1), file and image sources open only inside the media folders (links included), and failures give
// a safe reason that tells nothing about paths outside them or about this machine's open and closed ports.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { appConfigSchema, silentLogger } from '../../src/config/index.ts';
import { CameraRegistry, CameraUrlError, COULD_NOT_OPEN, resolveTool } from '../../src/ingest/index.ts';
import { findOnPath, testPhoto } from '../helpers.ts';

const ffprobe = resolveTool('ffprobe', 'ffprobe');
const noFfprobe = ffprobe.includes(path.sep) || findOnPath(ffprobe) ? false : 'ffprobe is not installed';

describe('camera registry connection tests', { skip: noFfprobe }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-registry-'));
  const mediaDir = path.join(dir, 'media');
  const outside = path.join(dir, 'outside');
  mkdirSync(mediaDir);
  mkdirSync(outside);
  copyFileSync(testPhoto('coffee.png'), path.join(mediaDir, 'coffee.png'));
  copyFileSync(testPhoto('coffee.png'), path.join(outside, 'secret.png'));
  const ingest = { ...appConfigSchema.parse({ ingest: { probeTimeoutS: 5 } }).ingest, ffprobePath: ffprobe };
  const registry = new CameraRegistry(ingest, { baseDir: dir, mediaDirs: [mediaDir] }, undefined, silentLogger);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a lavfi filter chain with a file option, and the file is not written', async () => {
    const written = path.join(dir, 'written-by-ffmpeg.txt');
    const url = `lavfi:testsrc2=size=64x48:rate=5,metadata=mode=print:file=${written}`;
    await assert.rejects(
      registry.probe(url),
      (e: unknown) => e instanceof CameraUrlError && /of testsrc2: expected KEY=VALUE/.test(e.message),
    );
    assert.equal(existsSync(written), false, `${written} was written`);
    const plain = await registry.probe('lavfi:testsrc2=size=64x48:rate=5');
    assert.deepEqual([plain.ok, plain.ok && plain.width, plain.ok && plain.height], [true, 64, 48]);
  });

  it('opens images in the media folder only; `..` and links that lead out read as not found', async () => {
    const inside = await registry.probe('image:media/coffee.png');
    assert.ok(inside.ok, JSON.stringify(inside));
    for (const url of [`image:${path.join(outside, 'secret.png')}`, 'image:media/../outside/secret.png']) {
      await assert.rejects(
        registry.probe(url),
        (e: unknown) => e instanceof CameraUrlError && /inside the media folder/.test(e.message),
        url,
      );
    }
    symlinkSync(path.join(outside, 'secret.png'), path.join(mediaDir, 'link-to-secret.png'));
    symlinkSync(outside, path.join(mediaDir, 'link-to-outside'));
    const answers = [];
    for (const name of ['link-to-secret.png', 'link-to-outside/secret.png', 'link-to-outside/none.png', 'none.png'])
      answers.push(await registry.probe(`image:media/${name}`));
    for (const answer of answers)
      assert.deepEqual(answer, { ok: false, error: `${COULD_NOT_OPEN}: not found in the media folder`, elapsedMs: 0 });
  });

  it('says why a file in the media folder does not play, without ffprobe’s words', async () => {
    copyFileSync(path.join(import.meta.dirname, 'cameraRegistry.test.ts'), path.join(mediaDir, 'notes.mp4'));
    const answer = await registry.probe('file:media/notes.mp4');
    assert.equal(!answer.ok && answer.error, `${COULD_NOT_OPEN}: not a supported video`);
  });

  it("answers alike for this machine's closed port and an open one that speaks no video", async () => {
    const silent: Server = createServer((socket) => socket.end('hello\r\n'));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const open = (silent.address() as AddressInfo).port;
    const closedServer = createServer();
    await new Promise<void>((resolve) => closedServer.listen(0, '127.0.0.1', resolve));
    const closed = (closedServer.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closedServer.close(() => resolve()));
    try {
      for (const scheme of ['http', 'rtsp']) {
        const errors = [];
        for (const port of [open, closed]) {
          const answer = await registry.probe(`${scheme}://127.0.0.1:${port}/stream`);
          errors.push(!answer.ok && answer.error);
        }
        assert.deepEqual(errors, [COULD_NOT_OPEN, COULD_NOT_OPEN], scheme);
      }
    } finally {
      silent.close();
    }
  });
});
