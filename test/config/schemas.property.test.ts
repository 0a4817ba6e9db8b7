// Property tests of the config and planning-problem schemas: any document, any file text, gets a value or the
// one error type of its loader naming the file, never another exception; a good config with one camera field
// spoiled is refused naming that field's path.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import fc from 'fast-check';
import { ConfigError, loadAppConfig, parseAppConfig } from '../../src/config/index.ts';
import { InputError, parseProblem, readDocument } from '../../src/planner/index.ts';
import { propertyRuns } from '../fuzz.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-schema-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `load`; any throw must be `ErrorType` naming `file`. */
function valueOrNamedError(ErrorType: new (...args: never[]) => Error, file: string, load: () => unknown): void {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ErrorType, `${String(error)} is not a ${ErrorType.name}`);
    assert.ok(error.message.startsWith(file), error.message);
  }
}

/** JSON documents shaped like configs: known top-level keys with arbitrary values, or anything at all. */
const configLike = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record(
    {
      version: fc.oneof(fc.constant(1), fc.jsonValue({ maxDepth: 1 })),
      cameras: fc.array(
        fc.dictionary(fc.constantFrom('id', 'url', 'fps', 'model', 'enabled'), fc.jsonValue({ maxDepth: 1 })),
      ),
      models: fc.jsonValue({ maxDepth: 3 }),
      server: fc.jsonValue({ maxDepth: 2 }),
      cluster: fc.jsonValue({ maxDepth: 2 }),
      store: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  ),
);

it('any config document is a config or a ConfigError naming the file', () => {
  fc.assert(
    fc.property(configLike, fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), (data, env) =>
      valueOrNamedError(ConfigError, 'fuzz.yaml', () => parseAppConfig('fuzz.yaml', data, env)),
    ),
    propertyRuns(400),
  );
});

it('any config file text is a config or a ConfigError naming the file', () => {
  const file = path.join(dir, 'config.yaml');
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
      writeFileSync(file, text);
      valueOrNamedError(ConfigError, file, () => loadAppConfig(file, {}));
    }),
    propertyRuns(300),
  );
});

it('a good camera with one field spoiled is refused naming cameras[0].<field>', () => {
  const camera = { id: 'front', url: 'rtsp://127.0.0.1:8554/front', fps: 5, model: 'blazeface', enabled: true };
  const models = [{ id: 'blazeface', kind: 'blazeface', path: 'model.onnx' }];
  assert.equal(parseAppConfig('good.yaml', { version: 1, cameras: [camera], models }, {}).cameras.length, 1);
  fc.assert(
    fc.property(
      fc.constantFrom(...(Object.keys(camera) as Array<keyof typeof camera>)),
      fc.oneof(fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string(), fc.integer())),
      (field, spoiled) => {
        const data = { version: 1, cameras: [{ ...camera, [field]: spoiled }], models };
        assert.throws(
          () => parseAppConfig('spoiled.yaml', data, {}),
          (error: unknown) =>
            error instanceof ConfigError && error.issues.some((i) => i.startsWith(`cameras[0].${field}: `)),
        );
      },
    ),
    propertyRuns(200),
  );
});

it('any planning problem document is parsed or an InputError naming its source', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.jsonValue({ maxDepth: 4 }),
        fc.record(
          {
            gpus: fc.jsonValue({ maxDepth: 2 }),
            dnns: fc.jsonValue({ maxDepth: 2 }),
            algorithm: fc.jsonValue({ maxDepth: 1 }),
          },
          { requiredKeys: [] },
        ),
      ),
      (data) => valueOrNamedError(InputError, 'problem.yaml', () => parseProblem('problem.yaml', data)),
    ),
    propertyRuns(400),
  );
});

it('any problem file text is a document or an InputError naming the file', () => {
  for (const name of ['problem.yaml', 'problem.json']) {
    const file = path.join(dir, name);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        writeFileSync(file, text);
        valueOrNamedError(InputError, file, () => parseProblem(file, readDocument(file)));
      }),
      propertyRuns(200),
    );
  }
});
