// Camera URLs and ffmpeg argument arrays: pure builders, checked without running ffmpeg (DESIGN.md pattern 14).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildDecodeArgs,
  buildProbeArgs,
  CameraUrlError,
  FrameAssembler,
  lavfiFilter,
  parseCameraUrl,
  redactUrl,
} from '../../src/ingest/index.ts';
import type { LavfiSource, RgbFrame, SourceContext } from '../../src/ingest/index.ts';

const context: SourceContext = { baseDir: '/base/conf', mediaDirs: ['/base/media', '/demo'] };
const parse = (url: string): ReturnType<typeof parseCameraUrl> => parseCameraUrl(url, context);

describe('cameraSource', () => {
  it('parses every source kind', () => {
    assert.deepEqual(parse('rtsp://u:p@10.0.0.2:8554/s1?channel=1'), {
      kind: 'network',
      protocol: 'rtsp',
      url: 'rtsp://u:p@10.0.0.2:8554/s1?channel=1',
      host: '10.0.0.2',
      port: 8554,
      loopback: false,
    });
    assert.deepEqual(parse('http://cam.local/video.cgi?channel=1&subtype=0'), {
      kind: 'network',
      protocol: 'http',
      url: 'http://cam.local/video.cgi?channel=1&subtype=0',
      host: 'cam.local',
      port: 80,
      loopback: false,
    });
    for (const local of ['rtsp://localhost/s', 'http://127.0.0.1:8080/', 'rtsps://[::1]/s', 'https://0.0.0.0/'])
      assert.equal((parse(local) as { loopback: boolean }).loopback, true, local);
    assert.deepEqual(parse('file:../media/clip.mp4'), { kind: 'file', path: '/base/media/clip.mp4' });
    assert.deepEqual(parse('file:///demo/clip.mp4'), { kind: 'file', path: '/demo/clip.mp4' });
    assert.deepEqual(parse('image:/base/media/sub/a.png'), { kind: 'image', path: '/base/media/sub/a.png' });
    assert.deepEqual(parse('v4l2:/dev/video0'), { kind: 'v4l2', device: '/dev/video0' });
    const lavfi = parse('lavfi:testsrc2=size=64x48:rate=5');
    assert.deepEqual(lavfi, {
      kind: 'lavfi',
      name: 'testsrc2',
      options: [
        { key: 'size', value: '64x48' },
        { key: 'rate', value: '5' },
      ],
    });
    assert.equal(lavfi.kind === 'lavfi' && lavfiFilter(lavfi), 'testsrc2=size=64x48:rate=5');
    assert.equal(
      lavfiFilter(parse('lavfi:color=c=0x00ff00:s=vga:d=2.5') as LavfiSource),
      'color=c=0x00ff00:s=vga:d=2.5',
    );
  });

  it('admits only named lavfi test sources with their own options (no chains, no file options)', () => {
    for (const [url, reason] of [
      ['lavfi:testsrc2=size=64x48,metadata=mode=print:file=/tmp/x', /expected KEY=VALUE/],
      ['lavfi:testsrc2=s=64x48;[out]nullsink', /shell metacharacter/],
      ['lavfi:testsrc2=s=64x48[out]', /letters, digits/],
      ['lavfi:life=filename=/etc/passwd', /NAME one of/],
      ['lavfi:movie=/etc/passwd', /NAME one of/],
      ['lavfi:testsrc2=file=/tmp/x', /takes the options size, s, rate/],
      ['lavfi:testsrc2=color=red', /takes the options/],
      ['lavfi:testsrc2=size=640x360x', /WIDTHxHEIGHT/],
      ['lavfi:testsrc2=size=99999x99999', /at most 7680x4320/],
      ['lavfi:testsrc2=rate=1000', /at most 240/],
      ['lavfi:testsrc2=rate=30000/1001', /letters, digits/],
      ['lavfi:color=c=red@0.5', /letters, digits/],
      ['lavfi:testsrc2=640x360', /takes the options/],
      ['lavfi:testsrc2=', /takes the options/],
      ['lavfi:', /NAME one of/],
    ] as const) {
      assert.throws(
        () => parse(url),
        (e: unknown) => e instanceof CameraUrlError && reason.test(e.message),
        url,
      );
    }
  });

  it('admits network URLs with host, port, path, query and credentials only', () => {
    for (const [url, reason] of [
      ['rtsp:/host/s', /expected rtsp:\/\//],
      ['http://cam/x#frag', /fragment/],
      ['http://cam/x\u00e9', /printable ASCII/],
      ['rtsp://2130706433/s', /not a dotted IPv4/],
      ['http://0x7f.1/', /plain form/],
      ['http://%31%32%37.0.0.1/', /plain form|not a valid URL/],
      ['rtsp://bad_host!/s', /shell metacharacter/],
      ['rtsp://host:0/s', /port 0/],
      ['rtsp://host:99999/s', /not a valid URL/],
      ['rtsp://:554/s', /not a valid URL|has no host/],
    ] as const) {
      assert.throws(
        () => parse(url),
        (e: unknown) => e instanceof CameraUrlError && reason.test(e.message),
        url,
      );
    }
  });

  it('admits file and image paths inside the media folders only, as written', () => {
    for (const url of [
      'image:/etc/passwd',
      'file:/base/media/../conf/config.yaml',
      'image:../media-other/a.png',
      'image:../media',
      'file:clip.mp4',
      'image:',
    ]) {
      assert.throws(
        () => parse(url),
        (e: unknown) => e instanceof CameraUrlError && /inside the media folder|expected a path/.test(e.message),
        url,
      );
    }
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
      ['v4l2:/dev/sda', /expected v4l2:\/dev\/videoN/],
      ['lavfi:testsrc\u0000', /control character/],
    ] as const) {
      assert.throws(
        () => parse(url),
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
    const args = buildDecodeArgs(parse('rtsp://h/s'), { fps: 5, width: 320, height: 240, rtspTransport: 'tcp' });
    assert.deepEqual(args.slice(args.indexOf('-rtsp_transport'), args.indexOf('-i') + 2), [
      '-rtsp_transport',
      'tcp',
      '-i',
      'rtsp://h/s',
    ]);
    assert.deepEqual(buildProbeArgs(parse('rtsps://h/s'), 'udp').slice(-4), [
      '-rtsp_transport',
      'udp',
      '-i',
      'rtsps://h/s',
    ]);
    // auto: ffmpeg's own choice, UDP then TCP; http takes no transport
    assert.equal(buildProbeArgs(parse('rtsp://h/s')).includes('-rtsp_transport'), false);
    assert.equal(buildProbeArgs(parse('http://h/s'), 'tcp').includes('-rtsp_transport'), false);
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
      '-protocol_whitelist',
      'file',
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
    assert.deepEqual(buildProbeArgs(parse('lavfi:testsrc')).slice(-4), ['-f', 'lavfi', '-i', 'testsrc']);
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
