/**
 * Runs partitions in sequence the way the data plane does: each partition reads its inputs from the model
 * inputs or from tensors that crossed earlier links. Optional float16 links quantize every float32 tensor
 * on a link and restore float32 on the receiving side, as a worker's tensor codec will.
 */
import ort from 'onnxruntime-node';
import { float16ToFloat32, float32ToFloat16 } from './float16.ts';
import type { SessionSettings } from './ortSupport.ts';
import { createSession } from './ortSupport.ts';
import type { PartitionPlan } from './splitModel.ts';

export type LinkDtype = 'float32' | 'float16';

export interface PartitionPipeline {
  readonly sessions: ort.InferenceSession[];
  readonly plans: PartitionPlan[];
  release(): Promise<void>;
}

export async function loadPipeline(
  models: ReadonlyArray<Uint8Array>,
  plans: PartitionPlan[],
  settings: SessionSettings = {},
): Promise<PartitionPipeline> {
  const sessions: ort.InferenceSession[] = [];
  for (const model of models) sessions.push(await createSession(model, settings));
  return {
    sessions,
    plans,
    async release() {
      for (const session of sessions) await session.release();
    },
  };
}

/** Quantizes a float32 tensor to float16 and back, i.e. what arrives after one float16 link. */
export function throughFloat16Link(tensor: ort.Tensor): ort.Tensor {
  if (tensor.type !== 'float32') return tensor;
  const restored = float16ToFloat32(float32ToFloat16(tensor.data as Float32Array));
  return new ort.Tensor('float32', restored, tensor.dims);
}

export interface PipelineRun {
  outputs: Record<string, ort.Tensor>;
  /** Wall time of each partition's run, µs. */
  partitionUs: number[];
}

export async function runPipeline(
  pipeline: PartitionPipeline,
  feeds: Record<string, ort.Tensor>,
  link: LinkDtype = 'float32',
): Promise<PipelineRun> {
  const available = new Map<string, ort.Tensor>(Object.entries(feeds));
  const partitionUs: number[] = [];
  const outputs: Record<string, ort.Tensor> = {};
  for (const [index, session] of pipeline.sessions.entries()) {
    const plan = pipeline.plans[index]!;
    const partFeeds: Record<string, ort.Tensor> = {};
    for (const input of plan.inputs) {
      const tensor = available.get(input.name);
      if (!tensor) throw new Error(`partition ${index}: input ${input.name} was not produced by an earlier partition`);
      partFeeds[input.name] = tensor;
    }
    const started = process.hrtime.bigint();
    const results = await session.run(partFeeds);
    partitionUs.push(Number(process.hrtime.bigint() - started) / 1000);
    for (const [name, tensor] of Object.entries(results)) {
      available.set(name, tensor);
      outputs[name] = tensor;
    }
    if (link === 'float16') {
      for (const spec of plan.link) {
        const tensor = available.get(spec.name);
        if (tensor) available.set(spec.name, throughFloat16Link(tensor));
      }
    }
  }
  return { outputs, partitionUs };
}

export interface OutputDifference {
  identical: boolean;
  maxAbsError: number;
  /** Largest max|a − b| / max|a| over the output tensors (error relative to each output's range). */
  maxRelError: number;
}

/** Compares float outputs element-wise; bit identity is checked on the raw bytes. */
export function compareOutputs(
  expected: Record<string, ort.Tensor>,
  actual: Record<string, ort.Tensor>,
  names: ReadonlyArray<string>,
): OutputDifference {
  let identical = true;
  let maxAbsError = 0;
  let maxRelError = 0;
  for (const name of names) {
    const a = expected[name];
    const b = actual[name];
    if (!a || !b) throw new Error(`output ${name} missing`);
    if (a.type !== b.type || a.dims.join(',') !== b.dims.join(',')) {
      identical = false;
      maxAbsError = Infinity;
      continue;
    }
    const rawA = a.data as Uint8Array;
    const rawB = b.data as Uint8Array;

    if (
      !Buffer.from(rawA.buffer, rawA.byteOffset, rawA.byteLength).equals(
        Buffer.from(rawB.buffer, rawB.byteOffset, rawB.byteLength),
      )
    )
      identical = false;
    if (a.type === 'float32' || a.type === 'float64') {
      const x = a.data as Float32Array;
      const y = b.data as Float32Array;
      let scale = 0;
      let worst = 0;
      for (let i = 0; i < x.length; i++) {
        scale = Math.max(scale, Math.abs(x[i]!));
        worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
      }
      maxAbsError = Math.max(maxAbsError, worst);
      if (worst > 0) maxRelError = Math.max(maxRelError, worst / (scale || 1));
    }
  }
  return { identical, maxAbsError, maxRelError };
}
