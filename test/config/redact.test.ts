// The one redaction (issue 16, item 4 "Secrets leak"): URL credentials anywhere in a text, known secret values
// wherever they appear, through values, errors and every log line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { pino } from 'pino';
import { maskUrlCredentials, parseAppConfig, redactingLogger, SecretRedactor } from '../../src/config/index.ts';

describe('maskUrlCredentials', () => {
  it('masks the password of every URL in a text, not only at its start', () => {
    // What ffprobe prints for a refused RTSP camera, after our own prefix.
    const text = 'rtsp://cam:***@127.0.0.1:1/x: rtsp://cam:hunter22@127.0.0.1:1/x: Connection refused';
    assert.equal(
      maskUrlCredentials(text),
      'rtsp://cam:***@127.0.0.1:1/x: rtsp://cam:***@127.0.0.1:1/x: Connection refused',
    );
    assert.equal(
      maskUrlCredentials("[concat @ 0x55] Impossible to open 'rtsp://u:p%40ss%3Aw0rd@10.0.0.2:554/s'"),
      "[concat @ 0x55] Impossible to open 'rtsp://u:***@10.0.0.2:554/s'",
    );
  });

  it('masks passwords holding "@" and ":" and leaves URLs without credentials alone', () => {
    assert.equal(maskUrlCredentials('http://admin:p@ss:w0rd@cam.lan/mjpeg'), 'http://admin:***@cam.lan/mjpeg');
    assert.equal(
      maskUrlCredentials('rtsp://cam.lan:554/s then mail me@example.com'),
      'rtsp://cam.lan:554/s then mail me@example.com',
    );
    assert.equal(maskUrlCredentials('lavfi:testsrc2=size=640x360:rate=10'), 'lavfi:testsrc2=size=640x360:rate=10');
  });

  it('masks credential query parameters', () => {
    assert.equal(
      maskUrlCredentials('http://cam.lan/video.cgi?user=admin&pwd=s3cret&res=hd'),
      'http://cam.lan/video.cgi?user=admin&pwd=***&res=hd',
    );
  });
});

describe('SecretRedactor', () => {
  it('masks a URL password wherever it appears, as written and decoded', () => {
    const redactor = new SecretRedactor();
    redactor.addUrl('rtsp://user:p%40ss%3Aw0rd@10.0.0.2/s');
    assert.equal(redactor.redact('auth failed for p@ss:w0rd (p%40ss%3Aw0rd)'), 'auth failed for *** (***)');
  });

  it('learns the secrets of a config, including a password from ${ENV}', () => {
    const config = parseAppConfig(
      'config.yaml',
      {
        cameras: [{ id: 'door', url: 'rtsp://user:${CAM_PASS}@127.0.0.1:1/x' }],
        mqtt: { url: 'mqtt://127.0.0.1:1883', password: '${MQTT_PASS}' },
        cluster: { token: 'a-cluster-token-of-enough-length' },
      },
      { CAM_PASS: 'from-the-env', MQTT_PASS: 'broker-pass' },
    );
    const redactor = new SecretRedactor();
    redactor.addConfig(config);
    assert.equal(redactor.redact('from-the-env broker-pass a-cluster-token-of-enough-length'), '*** *** ***');
  });

  it("redacts values deeply and keeps an error's class, message and stack redacted", () => {
    const redactor = new SecretRedactor();
    redactor.add('topsecret');
    class ProbeError extends Error {
      readonly url = 'rtsp://u:topsecret@h/s';
    }
    const error = new ProbeError('cannot open topsecret', { cause: new Error('cause topsecret') });
    const copy = redactor.redactValue({ list: ['topsecret', 3], err: error }).err as ProbeError;
    assert.ok(copy instanceof ProbeError);
    assert.equal(copy.message, 'cannot open ***');
    assert.doesNotMatch(copy.stack ?? '', /topsecret/);
    assert.match(copy.stack ?? '', /redact\.test\.ts/, 'the stack survives');
    assert.equal(copy.url, 'rtsp://u:***@h/s');
    assert.equal((copy.cause as Error).message, 'cause ***');
    assert.equal(error.message, 'cannot open topsecret', 'the original is untouched');
  });

  it('never lets a URL password through, whatever its characters (property)', () => {
    const passwordChar = fc.constantFrom(...'abcXYZ019@:%-_.~+=,\'"'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: passwordChar, minLength: 4, maxLength: 24 }), (password) => {
        const url = `rtsp://user:${password}@127.0.0.1:1/x`;
        const redactor = new SecretRedactor();
        redactor.addUrl(url);
        const said = redactor.redact(`${url}: Connection refused; ${encodeURIComponent(password)}`);
        return !said.includes(password) && !said.includes(encodeURIComponent(password));
      }),
      { seed: 16, numRuns: 300 },
    );
  });
});

describe('redactingLogger', () => {
  it('redacts the message, fields, errors and child bindings of every line', () => {
    const lines: string[] = [];
    const redactor = new SecretRedactor();
    redactor.add('hunter22');
    const log = redactingLogger(pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }), redactor);
    const child = log.child({ url: 'rtsp://u:hunter22@h/s' });
    child.warn({ reason: 'x hunter22', err: new Error('open rtsp://u:hunter22@h/s failed') }, 'failed hunter22');
    child.info('plain hunter22');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.doesNotMatch(line, /hunter22/);
    const first = JSON.parse(lines[0]!) as { msg: string; url: string; err: { type: string; message: string } };
    assert.equal(first.msg, 'failed ***');
    assert.equal(first.url, 'rtsp://u:***@h/s');
    assert.deepEqual([first.err.type, first.err.message], ['Error', 'open rtsp://u:***@h/s failed']);
  });
});
