/**
 * Tensor shapes for the cuts (reference §B.4: name → {dtype, shape with −1 for the batch}). They come from the
 * model's own value_info, inputs and outputs; tensors without a complete static shape are measured by one
 * probe run in onnxruntime (a copy of the model with them added as outputs), at batch 1 and, for a dynamic
 * batch, at batch 2 too: a dimension that changes between the two is the batch dimension.
 */
import type { TensorShape } from '../planner/index.ts';
import { InputError } from '../planner/index.ts';
import type { GraphAnalysis } from './graphAnalysis.ts';
import { encodeOnnxModel, numpyDtype, numpyDtypeOfOrt, typeDims } from './onnxModel.ts';
import type { ModelMessage, ValueInfo } from './onnxSchema.ts';
import { createSession, randomFeeds } from './ortSupport.ts';

export interface BatchInfo {
  /** True when every model input has a symbolic leading (batch) dimension. */
  readonly dynamic: boolean;
  /** The fixed batch size of a model exported with one (usually 1). */
  readonly fixedBatch: number | undefined;
  /** The symbolic name of the batch dimension (for partition inputs), e.g. `N`. */
  readonly param: string;
}

export interface ShapeInfo {
  readonly shapes: Map<string, TensorShape>;
  readonly batch: BatchInfo;
  /** Tensors whose shape was measured by the probe run. */
  readonly probed: string[];
}

export function batchInfo(model: ModelMessage, analysis: GraphAnalysis): BatchInfo {
  const infos = new Map((model.graph!.input ?? []).map((value) => [value.name ?? '', value]));
  let fixedBatch: number | undefined;
  let param: string | undefined;
  let dynamic = true;
  for (const name of analysis.inputs) {
    const dims = typeDims(infos.get(name)?.type);
    if (!dims || dims.length === 0)
      throw new InputError(analysis.file, `graph.input ${name}`, 'expected a tensor input with a known rank');
    dims.forEach((dim, axis) => {
      if (axis > 0 && typeof dim !== 'number') {
        throw new InputError(
          analysis.file,
          `graph.input ${name}`,
          `dimension ${axis} is symbolic (${dim ?? 'unknown'}); only the leading batch dimension may be dynamic: ` +
            `export the model with a fixed input size`,
        );
      }
    });
    const lead = dims[0];
    if (typeof lead === 'number') {
      dynamic = false;
      if (fixedBatch !== undefined && fixedBatch !== lead)
        throw new InputError(
          analysis.file,
          `graph.input ${name}`,
          `inputs disagree on the batch size (${fixedBatch} and ${lead})`,
        );
      fixedBatch = lead;
    } else if (typeof lead === 'string') {
      param ??= lead;
    }
  }
  return { dynamic, fixedBatch: dynamic ? undefined : fixedBatch, param: param ?? 'batch' };
}

function shapeFromInfo(value: ValueInfo | undefined, batch: BatchInfo): TensorShape | undefined {
  const dtype = numpyDtype(value?.type?.tensorType?.elemType ?? 0);
  const dims = typeDims(value?.type);
  if (!dtype || !dims) return undefined;
  const shape: number[] = [];
  for (const [axis, dim] of dims.entries()) {
    if (typeof dim === 'number') shape.push(dim);
    else if (batch.dynamic && axis === 0 && dim === batch.param) shape.push(-1);
    else return undefined;
  }
  return { dtype, shape };
}

/** Shapes of every model input, model output and tensor that crosses a cut. */
export async function resolveShapes(model: ModelMessage, analysis: GraphAnalysis): Promise<ShapeInfo> {
  const batch = batchInfo(model, analysis);
  const graph = model.graph!;
  const infos = new Map<string, ValueInfo>();
  for (const value of [...(graph.valueInfo ?? []), ...(graph.input ?? []), ...(graph.output ?? [])])
    infos.set(value.name ?? '', value);
  const needed = new Set<string>([...analysis.inputs, ...analysis.outputs]);
  for (const cut of analysis.liveAfter) for (const name of cut) needed.add(name);
  const shapes = new Map<string, TensorShape>();
  const missing: string[] = [];
  for (const name of needed) {
    const shape = shapeFromInfo(infos.get(name), batch);
    if (shape) shapes.set(name, shape);
    else if (analysis.inputs.includes(name))
      throw new InputError(
        analysis.file,
        `graph.input ${name}`,
        'expected a tensor input of a supported dtype with a known shape',
      );
    else missing.push(name);
  }
  if (missing.length > 0) {
    const measured = await probeShapes(model, analysis, shapes, missing, batch);
    for (const [name, shape] of measured) shapes.set(name, shape);
  }
  return { shapes, batch, probed: missing };
}

async function probeShapes(
  model: ModelMessage,
  analysis: GraphAnalysis,
  known: ReadonlyMap<string, TensorShape>,
  names: string[],
  batch: BatchInfo,
): Promise<Map<string, TensorShape>> {
  const graph = model.graph!;
  const existing = new Set((graph.output ?? []).map((value) => value.name ?? ''));
  const probe: ModelMessage = {
    ...model,
    graph: {
      ...graph,
      output: [...(graph.output ?? []), ...names.filter((name) => !existing.has(name)).map((name) => ({ name }))],
    },
  };
  let session;
  try {
    session = await createSession(encodeOnnxModel(probe), {
      optimization: 'disabled',
      device: { kind: 'cpu', threads: 1 },
    });
  } catch (error) {
    throw new InputError(
      analysis.file,
      undefined,
      `onnxruntime cannot load the model for the shape probe: ` +
        `${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    const runAt = async (size: number): Promise<Map<string, { type: string; dims: readonly number[] }>> => {
      const results = await session.run(randomFeeds(analysis.inputs, known, size, 1), names);
      return new Map(names.map((name) => [name, { type: results[name]!.type, dims: results[name]!.dims }]));
    };
    const first = await runAt(batch.dynamic ? 1 : (batch.fixedBatch ?? 1));
    const second = batch.dynamic ? await runAt(2) : undefined;
    const shapes = new Map<string, TensorShape>();
    for (const name of names) {
      const one = first.get(name)!;
      const dtype = numpyDtypeOfOrt(one.type);
      if (!dtype)
        throw new InputError(analysis.file, `tensor ${name}`, `dtype ${one.type} cannot cross a partition boundary`);
      const two = second?.get(name);
      shapes.set(name, { dtype, shape: one.dims.map((dim, axis) => (two && two.dims[axis] !== dim ? -1 : dim)) });
    }
    return shapes;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      analysis.file,
      undefined,
      `the shape probe run failed in onnxruntime: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    await session.release();
  }
}
