/**
 * Thin helpers over onnxruntime-node shared by the shape probe, the split check and the profiler: session
 * creation on a chosen device, and seeded input tensors built from the analysed shapes.
 */
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
  switch (device.kind) {
    case 'cpu':
      options.executionProviders = ['cpu'];
      if (device.threads !== undefined) options.intraOpNumThreads = device.threads;
      options.interOpNumThreads = 1;
      break;
    case 'cuda':
      assertCudaAvailable();
      options.executionProviders = [{ name: 'cuda', deviceId: device.deviceId }];
      break;
  }
  return ort.InferenceSession.create(model, options);
}

/** A device that this machine or this onnxruntime build cannot run on (e.g. `--device cuda` without CUDA). */
export class DeviceUnavailableError extends Error {
  override name = 'DeviceUnavailableError';
}

/** The CUDA provider ships separately; say so plainly instead of onnxruntime's library-loading error. */
export function assertCudaAvailable(): void {
  const cuda = ort.listSupportedBackends().find((backend) => backend.name === 'cuda');
  if (!cuda?.bundled) {
    throw new DeviceUnavailableError(
      'device cuda: this onnxruntime-node build has no CUDA execution provider (its CUDA libraries were not ' +
        'installed); reinstall onnxruntime-node with its CUDA binaries on a machine with an NVIDIA GPU, ' +
        'or use --device cpu',
    );
  }
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
