// onnxruntime's execution providers per device: the CPU alone or CUDA alone (never a quiet CPU fallback), and the
// clear error, with what to install, when the CUDA provider is missing. This machine has no CUDA provider, so the
// real onnxruntime's own failure is rewrapped too.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import ort from 'onnxruntime-node';
import {
  CUDA_PROVIDER_LIBRARY,
  DeviceUnavailableError,
  createSession,
  cudaProviderInstalled,
  cudaSessionError,
  executionProviders,
  ortBinFolder,
} from '../../src/models/ortSupport.ts';
import { BLAZEFACE_FRONT } from './onnxTestSupport.ts';

const work = mkdtempSync(path.join(tmpdir(), 'ppipe-ort-device-'));
after(() => rmSync(work, { recursive: true, force: true }));

const INSTALL_HINT = /CUDA 12 and cuDNN 9.*ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node.*--device cpu/;

test('the CPU device runs on the CPU provider alone, whether or not CUDA is installed', () => {
  assert.deepEqual(executionProviders({ kind: 'cpu', threads: 2 }, false), ['cpu']);
  assert.deepEqual(executionProviders({ kind: 'cpu', threads: undefined }, true), ['cpu']);
});

test('the CUDA device runs on the CUDA provider alone, on the GPU asked for', () => {
  assert.deepEqual(executionProviders({ kind: 'cuda', deviceId: 1 }, true), [{ name: 'cuda', deviceId: 1 }]);
});

test('the CUDA device without its provider library fails, saying what to install', () => {
  assert.throws(
    () => executionProviders({ kind: 'cuda', deviceId: 0 }, false),
    (error) => {
      assert.ok(error instanceof DeviceUnavailableError);
      assert.match(error.message, new RegExp(`^device cuda: ${CUDA_PROVIDER_LIBRARY} is not installed`));
      assert.match(error.message, INSTALL_HINT);
      return true;
    },
  );
});

test("the provider library is looked for in onnxruntime-node's bin folder", () => {
  assert.ok(readFileSync(path.join(ortBinFolder(), 'onnxruntime_binding.node')).length > 0, ortBinFolder());
  assert.equal(cudaProviderInstalled(work), false);
  writeFileSync(path.join(work, CUDA_PROVIDER_LIBRARY), '');
  assert.equal(cudaProviderInstalled(work), true);
});

test("onnxruntime's own failure to load CUDA becomes the clear error; other errors pass unchanged", async (t) => {
  if (cudaProviderInstalled()) {
    t.skip('this machine has the CUDA provider installed');
    return;
  }
  // Asked directly, without our check, the real onnxruntime fails to load the provider.
  const model = readFileSync(BLAZEFACE_FRONT);
  const failure = await ort.InferenceSession.create(model, {
    executionProviders: [{ name: 'cuda', deviceId: 0 }],
    logSeverityLevel: 4,
  }).then(
    () => assert.fail('a CUDA session was created without the CUDA provider'),
    (error: unknown) => error,
  );
  const wrapped = cudaSessionError(failure);
  assert.ok(wrapped instanceof DeviceUnavailableError, String(wrapped));
  assert.match(wrapped.message, /^device cuda: onnxruntime could not start CUDA \(.*Cuda.*\)/);
  assert.match(wrapped.message, INSTALL_HINT);
  assert.equal(wrapped.cause, failure);
  const unrelated = new Error('Load model from bytes failed: protobuf parsing failed');
  assert.equal(cudaSessionError(unrelated), unrelated);
  // Through the project's session factory, the check comes first.
  await assert.rejects(createSession(model, { device: { kind: 'cuda', deviceId: 0 } }), DeviceUnavailableError);
});
