/**
 * Reading a TensorFlow.js graph model: `model.json` (format `graph-model`: the GraphDef as JSON in
 * `modelTopology`, and a `weightsManifest` naming the binary shards) and its `.bin` shards, concatenated per
 * manifest group. Weights come out as float32 or int32 arrays; float16-quantised float32 weights are dequantised.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from '../planner/index.ts';
import { float16ToFloat32 } from './float16.ts';

/** One GraphDef attribute value as the TF.js converter writes it (protobuf JSON: int64 as strings, bytes base64). */
const attrValueSchema = z.looseObject({
  s: z.string().optional(),
  i: z.union([z.string(), z.number()]).optional(),
  f: z.number().optional(),
  b: z.boolean().optional(),
  type: z.string().optional(),
  shape: z
    .looseObject({ dim: z.array(z.looseObject({ size: z.union([z.string(), z.number()]) })).optional() })
    .optional(),
  list: z
    .looseObject({
      s: z.array(z.string()).optional(),
      i: z.array(z.union([z.string(), z.number()])).optional(),
    })
    .optional(),
});

const nodeSchema = z.looseObject({
  name: z.string().min(1),
  op: z.string().min(1),
  input: z.array(z.string()).optional(),
  attr: z.record(z.string(), attrValueSchema).optional(),
});

const weightSchema = z.looseObject({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32']),
  quantization: z.looseObject({ dtype: z.string() }).optional(),
});

const modelJsonSchema = z.looseObject({
  format: z.literal('graph-model'),
  modelTopology: z.looseObject({ node: z.array(nodeSchema).min(1) }),
  weightsManifest: z.array(z.looseObject({ paths: z.array(z.string().min(1)), weights: z.array(weightSchema) })),
  signature: z
    .looseObject({
      inputs: z.record(z.string(), z.unknown()).optional(),
      outputs: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

export type TfjsNode = z.infer<typeof nodeSchema>;
export type TfjsAttrValue = z.infer<typeof attrValueSchema>;

export type TfjsWeight =
  { dtype: 'float32'; shape: number[]; data: Float32Array } | { dtype: 'int32'; shape: number[]; data: Int32Array };

export interface TfjsGraphModel {
  readonly file: string;
  readonly nodes: TfjsNode[];
  /** Const node values by node name. */
  readonly weights: Map<string, TfjsWeight>;
  /** The signature's output tensor names, when the model has a signature. */
  readonly signatureOutputs: string[] | undefined;
}

export function readTfjsGraphModel(file: string): TfjsGraphModel {
  const text = readSource(file, 'a TensorFlow.js model.json');
  let json: unknown;
  try {
    json = JSON.parse(text.toString('utf8'));
  } catch (error) {
    throw new InputError(file, undefined, `expected JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = modelJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(
      file,
      issue.path.join('.') || undefined,
      `expected a TensorFlow.js graph model (format "graph-model" with modelTopology.node and weightsManifest): ` +
        issue.message,
    );
  }
  const weights = new Map<string, TfjsWeight>();
  parsed.data.weightsManifest.forEach((group, groupIndex) => {
    const shards = group.paths.map((shard) => readSource(path.resolve(path.dirname(file), shard), 'a weights shard'));
    const bytes = Buffer.concat(shards);
    let offset = 0;
    group.weights.forEach((spec, index) => {
      const where = `weightsManifest[${groupIndex}].weights[${index}] (${spec.name})`;
      const count = spec.shape.reduce((product, dim) => product * dim, 1);
      const storedBytes = count * storedElementBytes(spec, file, where);
      if (offset + storedBytes > bytes.length) {
        throw new InputError(
          file,
          where,
          `expected ${storedBytes} bytes at offset ${offset} of the shards ${group.paths.join(', ')}, which hold ` +
            `only ${bytes.length} bytes`,
        );
      }
      const slice = bytes.subarray(offset, offset + storedBytes);
      weights.set(spec.name, decodeWeight(spec, Uint8Array.prototype.slice.call(slice)));
      offset += storedBytes;
    });
  });
  const outputs = parsed.data.signature?.outputs;
  return {
    file,
    nodes: parsed.data.modelTopology.node,
    weights,
    signatureOutputs: outputs ? Object.keys(outputs) : undefined,
  };
}

function readSource(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new InputError(
      file,
      undefined,
      `expected ${what} (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

function storedElementBytes(spec: z.infer<typeof weightSchema>, file: string, where: string): number {
  if (!spec.quantization) return 4;
  if (spec.quantization.dtype === 'float16' && spec.dtype === 'float32') return 2;
  throw new InputError(
    file,
    where,
    `expected float32, int32 or float16-quantised float32 weights, got ${spec.dtype} quantised as ` +
      spec.quantization.dtype,
  );
}

/** `bytes` is an aligned copy, so typed views on it are safe. */
function decodeWeight(spec: z.infer<typeof weightSchema>, bytes: Uint8Array): TfjsWeight {
  if (spec.dtype === 'int32') return { dtype: 'int32', shape: spec.shape, data: new Int32Array(bytes.buffer) };
  const data = spec.quantization ? float16ToFloat32(new Uint16Array(bytes.buffer)) : new Float32Array(bytes.buffer);
  return { dtype: 'float32', shape: spec.shape, data };
}
