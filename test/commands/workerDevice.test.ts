// `ppipe worker --device cuda` on a machine without onnxruntime's CUDA provider (this one) stops before joining any
// broker, with exit 1 and what to install; `--device` itself is validated as a usage error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runWorkerCommand } from '../../src/commands/worker.ts';
import { cudaProviderInstalled } from '../../src/models/ortSupport.ts';

async function worker(args: string[]): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const common = ['--broker', 'mqtt://127.0.0.1:1', '--device-class', 'T4', '--token', 'secret'];
  const code = await runWorkerCommand([...common, '--model-origin', 'http://127.0.0.1:1', ...args], {
    stdout: () => {},
    stderr: (text) => err.push(text),
  });
  return { code, stderr: err.join('') };
}

test('worker --device cuda without the CUDA provider exits 1 saying how to install it', async (t) => {
  if (cudaProviderInstalled()) {
    t.skip('this machine has the CUDA provider installed');
    return;
  }
  const { code, stderr } = await worker(['--device', 'cuda:0']);
  assert.equal(code, 1, stderr);
  assert.match(stderr, /^ppipe worker: device cuda: libonnxruntime_providers_cuda\.so is not installed\./);
  assert.match(stderr, /CUDA 12 and cuDNN 9.*ONNXRUNTIME_NODE_INSTALL=cuda12/);
});

test('worker --device with an unknown device is a usage error', async () => {
  const { code, stderr } = await worker(['--device', 'tpu']);
  assert.equal(code, 2);
  assert.match(stderr, /--device expects cpu, cpu:THREADS, cuda or cuda:ID, got "tpu"/);
});
