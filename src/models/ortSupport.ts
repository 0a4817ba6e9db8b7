/**
 * Thin helpers over onnxruntime-node shared by the shape probe, the split check and the profiler: session
 * creation on a chosen device, and seeded input tensors built from the analysed shapes.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ort from 'onnxruntime-node';
import type { TensorShape } from '../planner/index.ts';
import { ortDtypeOfNumpy } from './onnxModel.ts';

export type Device = { kind: 'cpu'; threads: number | undefined } | { kind: 'cuda'; deviceId: number };
export type OptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface SessionSettings {
  device?: Device;
  optimization?: OptimizationLevel;
  enableProfiling?: boolean;
  profileFilePrefix?: string;
  /** Let idle intra-op threads spin (onnxruntime's default). Off by default: several sessions run in turn in one
   * process, and a finished partition's spinning threads would steal the cores of the next one. */
  spinning?: boolean;
}

export async function createSession(model: Uint8Array, settings: SessionSettings = {}): Promise<ort.InferenceSession> {
  const device = settings.device ?? { kind: 'cpu', threads: undefined };
  const options: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: settings.optimization ?? 'extended',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: settings.spinning ? '1' : '0' } } },
    ...(settings.enableProfiling ? { enableProfiling: true, profileFilePrefix: settings.profileFilePrefix } : {}),
  };
  options.executionProviders = executionProviders(device, device.kind === 'cuda' && cudaProviderInstalled());
  if (device.kind === 'cpu') {
    if (device.threads !== undefined) options.intraOpNumThreads = device.threads;
    options.interOpNumThreads = 1;
  }
  try {
    return await ort.InferenceSession.create(model, options);
  } catch (error) {
    throw device.kind === 'cuda' ? cudaSessionError(error) : error;
  }
}

/** A device that this machine or this onnxruntime build cannot run on (e.g. `--device cuda` without CUDA). */
export class DeviceUnavailableError extends Error {
  override name = 'DeviceUnavailableError';
}

/**
 * onnxruntime-node ships its CUDA provider apart: on Linux x64 its install script downloads it from NuGet
 * (Microsoft.ML.OnnxRuntime.Gpu.Linux) into its bin folder, where it loads it from.
 */
export const CUDA_PROVIDER_LIBRARY = 'libonnxruntime_providers_cuda.so';

const CUDA_INSTALL_HINT =
  "onnxruntime-node's CUDA provider runs on Linux x64 with an NVIDIA GPU, CUDA 12 and cuDNN 9; install it with " +
  '`ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node` (its install script downloads ' +
  `${CUDA_PROVIDER_LIBRARY} into node_modules/onnxruntime-node/bin), or use --device cpu`;

/** Where onnxruntime-node loads its execution providers' libraries from. */
export function ortBinFolder(): string {
  const packageJson = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
  return path.join(path.dirname(packageJson), 'bin/napi-v6', process.platform, process.arch);
}

/** Whether onnxruntime-node's CUDA provider library is installed (not whether it will find CUDA and cuDNN). */
export function cudaProviderInstalled(binFolder: string = ortBinFolder()): boolean {
  return existsSync(path.join(binFolder, CUDA_PROVIDER_LIBRARY));
}

/**
 * onnxruntime's execution providers for a device: the CPU alone, or CUDA alone. Never CUDA then CPU: a session
 * asked for the GPU that quietly ran on the CPU would profile and serve at the wrong speed.
 */
export function executionProviders(
  device: Device,
  cudaInstalled: boolean,
): ort.InferenceSession.ExecutionProviderConfig[] {
  if (device.kind === 'cpu') return ['cpu'];
  if (!cudaInstalled)
    throw new DeviceUnavailableError(`device cuda: ${CUDA_PROVIDER_LIBRARY} is not installed. ${CUDA_INSTALL_HINT}`);
  return [{ name: 'cuda', deviceId: device.deviceId }];
}

/** onnxruntime's error when the CUDA provider fails to load (CUDA or cuDNN missing), with what to install. */
export function cudaSessionError(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (!/cuda|cudnn/i.test(message)) return error;
  return new DeviceUnavailableError(
    `device cuda: onnxruntime could not start CUDA (${message}). ${CUDA_INSTALL_HINT}`,
    {
      cause: error,
    },
  );
}

/** Fails with the installation hint when `--device cuda` cannot work here, before any model is loaded. */
export function assertCudaAvailable(): void {
  executionProviders({ kind: 'cuda', deviceId: 0 }, cudaProviderInstalled());
}

/** Deterministic PRNG (mulberry32): same seed, same tensors, on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Concrete dims for a batch: −1 (the batch dimension) becomes `batch`. */
export function concreteDims(shape: ReadonlyArray<number>, batch: number): number[] {
  return shape.map((dim) => (dim < 0 ? batch : dim));
}

/** Seeded inputs: floats uniform in [0, 1), integers and booleans zero (safe as indices and masks). */
export function randomFeeds(
  names: ReadonlyArray<string>,
  shapes: ReadonlyMap<string, TensorShape>,
  batch: number,
  seed: number,
): Record<string, ort.Tensor> {
  const random = seededRandom(seed);
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of names) {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`no shape for model input ${name}`);
    const dims = concreteDims(shape.shape, batch);
    const count = dims.reduce((a, b) => a * b, 1);
    const type = ortDtypeOfNumpy(shape.dtype);
    switch (type) {
      case 'float32': {
        const data = new Float32Array(count);
        for (let i = 0; i < count; i++) data[i] = random();
        feeds[name] = new ort.Tensor('float32', data, dims);
        break;
      }
      case 'float64': {
        const data = new Float64Array(count);
        for (let i = 0; i < count; i++) data[i] = random();
        feeds[name] = new ort.Tensor('float64', data, dims);
        break;
      }
      case 'int64':
        feeds[name] = new ort.Tensor('int64', new BigInt64Array(count), dims);
        break;
      case 'int32':
        feeds[name] = new ort.Tensor('int32', new Int32Array(count), dims);
        break;
      case 'uint8':
        feeds[name] = new ort.Tensor('uint8', new Uint8Array(count), dims);
        break;
      case 'bool':
        feeds[name] = new ort.Tensor('bool', new Uint8Array(count), dims);
        break;
      case undefined:
      default:
        throw new Error(`model input ${name}: dtype ${shape.dtype} is not supported for generated inputs`);
    }
  }
  return feeds;
}
