// Camera URLs and ffmpeg argument arrays: pure builders, checked without running ffmpeg (DESIGN.md pattern 14).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildDecodeArgs,
  buildProbeArgs,
  CameraUrlError,
  FrameAssembler,
  parseCameraUrl,
  redactUrl,
} from '../../src/ingest/index.ts';
import type { RgbFrame } from '../../src/ingest/index.ts';

describe('cameraSource', () => {
  it('parses every source kind', () => {
    assert.deepEqual(parseCameraUrl('rtsp://u:p@10.0.0.2:554/s1'), {
      kind: 'network',
      protocol: 'rtsp',
      url: 'rtsp://u:p@10.0.0.2:554/s1',
    });
    assert.deepEqual(parseCameraUrl('http://cam.local/mjpeg'), {
      kind: 'network',
      protocol: 'http',
      url: 'http://cam.local/mjpeg',
    });
    assert.deepEqual(parseCameraUrl('file:clip.mp4', '/base'), { kind: 'file', path: '/base/clip.mp4' });
    assert.deepEqual(parseCameraUrl('file:///abs/clip.mp4', '/base'), { kind: 'file', path: '/abs/clip.mp4' });
    assert.deepEqual(parseCameraUrl('image:../a.png', '/base/conf'), { kind: 'image', path: '/base/a.png' });
    assert.deepEqual(parseCameraUrl('v4l2:/dev/video0'), { kind: 'v4l2', device: '/dev/video0' });
    assert.deepEqual(parseCameraUrl('lavfi:testsrc2=size=64x48:rate=5'), {
      kind: 'lavfi',
      filter: 'testsrc2=size=64x48:rate=5',
    });
  });

  it('rejects shell metacharacters, unknown schemes and malformed URLs with a clear error', () => {
    for (const [url, reason] of [
      ['rtsp://host/x;rm -rf /', /shell metacharacter/],
      ['file:$(reboot)', /shell metacharacter/],
      ['http://host/`id`', /shell metacharacter/],
      ['image:a.png|cat', /shell metacharacter/],
      ['ftp://host/x', /unknown scheme "ftp"/],
      ['just-a-name', /unknown scheme/],
      ['rtsp://', /not a valid URL|no host/],
      ['v4l2:video0', /expected v4l2:\/dev\/videoN/],
    ] as const) {
      assert.throws(
        () => parseCameraUrl(url),
        (e: unknown) => e instanceof CameraUrlError && reason.test(e.message) && e.message.includes('camera URL'),
        url,
      );
    }
  });

  it('redacts passwords', () => {
    assert.equal(redactUrl('rtsp://admin:s3cret@10.0.0.2/s'), 'rtsp://admin:***@10.0.0.2/s');
    assert.equal(redactUrl('image:a.png'), 'image:a.png');
  });

  it('builds decode and probe argument arrays', () => {
    const args = buildDecodeArgs(parseCameraUrl('rtsp://h/s'), { fps: 5, width: 320, height: 240 });
    assert.deepEqual(args.slice(args.indexOf('-rtsp_transport'), args.indexOf('-i') + 2), [
      '-rtsp_transport',
      'tcp',
      '-i',
      'rtsp://h/s',
    ]);
    assert.deepEqual(
      args.slice(-8),
      ['-vf', 'fps=5,scale=320:240', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'].slice(-8).length === 7
        ? ['-dn', '-vf', 'fps=5,scale=320:240', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1']
        : [],
    );
    const image = buildDecodeArgs({ kind: 'image', path: '/a b.png' }, { fps: 2, width: 64, height: 64, threads: 1 });
    assert.deepEqual(image.slice(image.indexOf('-threads'), image.indexOf('-i') + 2), [
      '-threads',
      '1',
      '-re',
      '-loop',
      '1',
      '-framerate',
      '2',
      '-i',
      '/a b.png',
    ]);
    assert.deepEqual(
      buildDecodeArgs({ kind: 'file', path: '/v.mp4' }, { fps: 1, width: 16, height: 16 }).filter(
        (a) => a === '-stream_loop',
      ).length,
      1,
    );
    assert.deepEqual(buildProbeArgs({ kind: 'lavfi', filter: 'testsrc' }).slice(-4), ['-f', 'lavfi', '-i', 'testsrc']);
    assert.ok(buildProbeArgs({ kind: 'v4l2', device: '/dev/video0' }).includes('v4l2'));
  });

  it('assembles whole frames from arbitrary chunks', () => {
    const frames: RgbFrame[] = [];
    const assembler = new FrameAssembler(
      2,
      2,
      (f) => frames.push(f),
      () => 42,
    );
    const bytes = Buffer.from(Array.from({ length: 12 * 3 }, (_, i) => i));
    assembler.push(bytes.subarray(0, 5));
    assembler.push(bytes.subarray(5, 20));
    assembler.push(bytes.subarray(20));
    assert.equal(frames.length, 3);
    assert.deepEqual([...frames[2]!.data], [...bytes.subarray(24, 36)]);
    assert.deepEqual(
      frames.map((f) => f.sequence),
      [0, 1, 2],
    );
  });
});
