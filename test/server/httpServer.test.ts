// The API's error responses: a 500 tells the client nothing internal while the log keeps the error and its
// stack as `err` (DESIGN.md, Logs); a 4xx keeps its clear message.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { SecretRedactor } from '../../src/config/index.ts';
import { ApiError, ApiServer } from '../../src/server/index.ts';
import type { ApiServerDeps, CameraService } from '../../src/server/index.ts';

type LogLine = { level: number; msg: string; path?: string; status?: number; err?: { message: string; stack: string } };

describe('ApiServer error responses', () => {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  const cameras = {
    list: () => {
      throw new Error('/var/lib/ppipe/secret.sqlite: disk I/O error');
    },
    get: () => {
      throw new ApiError(500, 'the configuration file cannot be written', undefined, {
        cause: new Error('EROFS: read-only file system, open /etc/ppipe/config.yaml'),
      });
    },
  } as unknown as CameraService;
  // Only the routes used below touch their dependencies.
  const deps = { host: '127.0.0.1', port: 0, cameras, log, redactor: new SecretRedactor() } as unknown as ApiServerDeps;
  const server = new ApiServer(deps);
  before(() => server.start());
  after(() => server.stop());
  const get = async (route: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`http://127.0.0.1:${server.port}${route}`);
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it('an unexpected error gives a generic 500 and is logged with its stack', async () => {
    const { status, body } = await get('/api/cameras');
    assert.equal(status, 500);
    assert.deepEqual(body, { error: 'internal error' });
    const line = lines.find((l) => l.msg === 'request failed' && l.path === '/api/cameras');
    assert.ok(line, 'one log line for the failed request');
    assert.equal(line.err?.message, '/var/lib/ppipe/secret.sqlite: disk I/O error');
    assert.match(line.err?.stack ?? '', /httpServer\.test\.ts/, 'the stack survives');
  });

  it('a 5xx ApiError says what failed; why goes to the log only', async () => {
    const { status, body } = await get('/api/cameras/front');
    assert.equal(status, 500);
    assert.deepEqual(body, { error: 'the configuration file cannot be written' });
    const line = lines.find((l) => l.msg === 'request failed' && l.path === '/api/cameras/front');
    assert.match(line?.err?.message ?? '', /EROFS/, 'the cause is logged');
  });

  it('a 4xx keeps its clear message and is not logged as a failure', async () => {
    const { status, body } = await get('/api/nowhere');
    assert.equal(status, 404);
    assert.deepEqual(body, { error: 'no route GET /api/nowhere' });
    assert.ok(!lines.some((l) => l.path === '/api/nowhere'));
  });
});
