/**
 * One partition in one onnxruntime session, fed and read with plain typed arrays, so that rooms that may
 * not use onnxruntime themselves (the cluster's workers) can run partitions. One executor per MPS instance.
 */
import ort from 'onnxruntime-node';
import type { SessionSettings } from './ortSupport.ts';
import { createSession } from './ortSupport.ts';

export type PlainData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export interface PlainTensor {
  /** onnxruntime's dtype names: float32, float64, int64, int32, uint8, bool. */
  readonly dtype: string;
  readonly dims: ReadonlyArray<number>;
  readonly data: PlainData;
}

export interface PartitionExecutor {
  readonly inputNames: ReadonlyArray<string>;
  readonly outputNames: ReadonlyArray<string>;
  run(feeds: Readonly<Record<string, PlainTensor>>): Promise<Record<string, PlainTensor>>;
  release(): Promise<void>;
}

export type { Device, SessionSettings } from './ortSupport.ts';

export async function createPartitionExecutor(
  model: Uint8Array,
  settings: SessionSettings = {},
): Promise<PartitionExecutor> {
  const session = await createSession(model, settings);
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) {
        ortFeeds[name] = new ort.Tensor(tensor.dtype as 'float32', tensor.data as Float32Array, [...tensor.dims]);
      }
      const results = await session.run(ortFeeds);
      const out: Record<string, PlainTensor> = {};
      for (const [name, tensor] of Object.entries(results))
        out[name] = { dtype: tensor.type, dims: [...tensor.dims], data: tensor.data as PlainData };
      return out;
    },
    release: () => session.release(),
  };
}
