// Property test of the HTTP API's input handling on a running appliance: any method, path, query string and
// body gets a JSON answer below 500 whose error names no server file, and the cameras the API lists are
// always the cameras of the config file.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import pino from 'pino';
import { Appliance } from '../../src/appliance.ts';
import { loadAppConfig } from '../../src/config/index.ts';
import { MODEL, runDuringSuite } from '../applianceSupport.ts';
import { propertyRuns } from '../fuzz.ts';

const SEGMENTS = [
  'api',
  'cameras',
  'detections',
  'export',
  'snapshots',
  'test-connection',
  'nodes',
  'plan',
  'stats',
  'config',
  'schema',
  'front',
  '%',
  '%E0%A4%A',
  '%2F..%2F',
  '..',
  '1',
];
const pathArbitrary = fc
  .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SEGMENTS) }, fc.string({ maxLength: 6 })), {
    minLength: 1,
    maxLength: 4,
  })
  .map((parts) => `/${parts.map((p) => p.replace(/[?#]/g, '')).join('/')}`);
const queryArbitrary = fc
  .dictionary(
    fc.constantFrom('camera', 'label', 'minScore', 'from', 'to', 'limit', 'before', 'format', 'x'),
    fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -3, max: 2000 }).map(String)),
    { maxKeys: 4 },
  )
  .map((params) => new URLSearchParams(params).toString());
/** Camera-shaped objects with values of every type, arbitrary JSON, and text that is not JSON. */
const bodyArbitrary = fc.oneof(
  fc
    .dictionary(
      fc.constantFrom('id', 'name', 'url', 'fps', 'width', 'height', 'model', 'enabled', 'extra'),
      fc.oneof(
        fc.jsonValue({ maxDepth: 1 }),
        fc.constantFrom('front', 'blazeface', 'rtsp://u:p@127.0.0.1:1/x', 'gopher://x', 'image:../../etc/passwd'),
      ),
    )
    .map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }),
);

describe('HTTP input fuzzing', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-http-fuzz-'));
  const dataDir = path.join(dir, 'data');
  const defaults = path.join(dir, 'defaults.yaml');
  const userConfig = path.join(dataDir, 'config.yaml');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    defaults,
    `version: 1\nmodels:\n  - { id: blazeface, kind: blazeface, path: ${MODEL} }\ncameras: []\nserver:\n  port: 0\n`,
  );
  const appliance = new Appliance({
    configFile: defaults,
    editConfigFile: userConfig,
    dataDir,
    logger: pino({ level: 'silent' }),
  });
  const baseUrl = runDuringSuite(appliance, dir);

  it('answers every request below 500 with JSON naming no server file; API and config agree', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        pathArbitrary,
        queryArbitrary,
        bodyArbitrary,
        async (method, route, query, body) => {
          const res = await fetch(`${baseUrl()}${route}${query ? `?${query}` : ''}`, {
            method,
            headers: { 'content-type': 'application/json' },
            ...(method === 'GET' || method === 'DELETE' ? {} : { body }),
          });
          const text = await res.text();
          assert.ok(res.status < 500, `${method} ${route}?${query} ${body} → ${res.status} ${text}`);
          if (res.status >= 400) {
            const answer = JSON.parse(text) as { error?: unknown };
            assert.equal(typeof answer.error, 'string', text);
            assert.ok(!text.includes(dir), `the answer names a server file: ${text}`);
          }
        },
      ),
      propertyRuns(300),
    );
    const listed = ((await (await fetch(`${baseUrl()}/api/cameras`)).json()) as { items: Array<{ id: string }> }).items;
    const configured = existsSync(userConfig) ? loadAppConfig(userConfig, {}).cameras : [];
    assert.deepEqual(
      listed.map((c) => c.id),
      configured.map((c) => c.id),
    );
  });
});
