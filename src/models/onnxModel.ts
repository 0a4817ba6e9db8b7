/**
 * Reading and writing ONNX model files. Every malformed, truncated or foreign file becomes an InputError
 * naming the file; models whose weights live outside the file (external data) are refused, since a
 * partition must be one self-contained file that a worker can load.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../planner/index.ts';
import { DataType, int64ToNumber, onnxModelType } from './onnxSchema.ts';
import type { GraphMessage, ModelMessage, TensorMessage, TypeProtoMessage } from './onnxSchema.ts';

/** Decodes and sanity-checks a ModelProto; `file` names the source in errors. */
export function decodeOnnxModel(bytes: Uint8Array, file: string): ModelMessage {
  if (bytes.length === 0)
    throw new InputError(file, undefined, 'expected an ONNX model (ModelProto), got an empty file');
  let model: ModelMessage;
  try {
    model = onnxModelType().decode(bytes) as ModelMessage;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(
      file,
      undefined,
      `expected an ONNX model (ModelProto); the protobuf is malformed or truncated (${reason})`,
    );
  }
  validateModel(model, file);
  return model;
}

export function readOnnxModel(file: string): ModelMessage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InputError(
      file,
      undefined,
      `expected a readable ONNX file (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return decodeOnnxModel(bytes, file);
}

export function encodeOnnxModel(model: ModelMessage): Uint8Array {
  return onnxModelType().encode(model).finish();
}

export function writeOnnxModel(file: string, model: ModelMessage): Uint8Array {
  const bytes = encodeOnnxModel(model);
  writeFileSync(file, bytes);
  return bytes;
}

/** Structural checks that tell an ONNX model from arbitrary bytes that happen to decode as protobuf. */
function validateModel(model: ModelMessage, file: string): void {
  const irVersion = int64ToNumber(model.irVersion);
  if (irVersion < 3 || irVersion > 100) {
    throw new InputError(
      file,
      'ir_version',
      `expected an ONNX model with ir_version 3 or newer, got ${irVersion} (not an ONNX file?)`,
    );
  }
  if (!model.graph) throw new InputError(file, 'graph', 'expected an ONNX model with a graph');
  if (!model.opsetImport?.length)
    throw new InputError(file, 'opset_import', 'expected at least one operator set import');
  const graph = model.graph;
  if (!graph.node?.length) throw new InputError(file, 'graph.node', 'expected at least one node');
  graph.node.forEach((node, index) => {
    if (!node.opType) throw new InputError(file, `graph.node[${index}]`, 'expected an op_type');
    if (!node.output?.length)
      throw new InputError(file, `graph.node[${index}] (${node.name ?? node.opType})`, 'expected at least one output');
  });
  if (!graph.output?.length) throw new InputError(file, 'graph.output', 'expected at least one graph output');
  for (const tensor of graph.initializer ?? []) {
    if (tensor.dataLocation === 1 || (tensor.externalData?.length ?? 0) > 0) {
      throw new InputError(
        file,
        `initializer ${tensor.name ?? '?'}`,
        'weights stored as external data are not supported; save the model with all tensors inside the .onnx file ' +
          '(onnx.save(..., save_as_external_data=False))',
      );
    }
  }
}

/** numpy-style dtype strings of the artifact's shapes files (reference §B.4). */
const NUMPY_DTYPE: Record<number, string> = {
  [DataType.FLOAT]: '<f4',
  [DataType.DOUBLE]: '<f8',
  [DataType.FLOAT16]: '<f2',
  [DataType.INT64]: '<i8',
  [DataType.INT32]: '<i4',
  [DataType.INT16]: '<i2',
  [DataType.UINT16]: '<u2',
  [DataType.INT8]: '|i1',
  [DataType.UINT8]: '|u1',
  [DataType.BOOL]: '|b1',
  [DataType.UINT32]: '<u4',
};

/** onnxruntime-node tensor type names for the same codes. */
const ORT_DTYPE: Record<number, string> = {
  [DataType.FLOAT]: 'float32',
  [DataType.DOUBLE]: 'float64',
  [DataType.FLOAT16]: 'float16',
  [DataType.INT64]: 'int64',
  [DataType.INT32]: 'int32',
  [DataType.INT16]: 'int16',
  [DataType.UINT16]: 'uint16',
  [DataType.INT8]: 'int8',
  [DataType.UINT8]: 'uint8',
  [DataType.BOOL]: 'bool',
  [DataType.UINT32]: 'uint32',
};

export function numpyDtype(elemType: number): string | undefined {
  return NUMPY_DTYPE[elemType];
}

export function elemTypeOfNumpy(dtype: string): number | undefined {
  for (const [code, name] of Object.entries(NUMPY_DTYPE)) if (name === dtype) return Number(code);
  return undefined;
}

export function elemTypeOfOrt(type: string): number | undefined {
  for (const [code, name] of Object.entries(ORT_DTYPE)) if (name === type) return Number(code);
  return undefined;
}

export function numpyDtypeOfOrt(type: string): string | undefined {
  const code = elemTypeOfOrt(type);
  return code === undefined ? undefined : NUMPY_DTYPE[code];
}

export function ortDtypeOfNumpy(dtype: string): string | undefined {
  const code = elemTypeOfNumpy(dtype);
  return code === undefined ? undefined : ORT_DTYPE[code];
}

/** Number of elements a tensor holds (product of dims; 1 for a scalar). */
export function tensorElements(tensor: TensorMessage): number {
  return (tensor.dims ?? []).reduce<number>((product, dim) => product * int64ToNumber(dim), 1);
}

/** Dims of a tensor-typed value: numbers where fixed, the dim_param (or null) where symbolic or unknown. */
export function typeDims(type: TypeProtoMessage | undefined): (number | string | null)[] | undefined {
  const shape = type?.tensorType?.shape;
  if (!shape) return undefined;
  return (shape.dim ?? []).map((dim) => {
    // Own-property checks: protobufjs puts defaults of unset fields on the prototype.
    if (Object.hasOwn(dim, 'dimParam') && dim.dimParam) return dim.dimParam;
    if (Object.hasOwn(dim, 'dimValue') && dim.dimValue !== undefined && dim.dimValue !== null)
      return int64ToNumber(dim.dimValue);
    return null;
  });
}

/** Names of the weights of a graph: initializers (also when an older IR lists them among the inputs). */
export function initializerNames(graph: GraphMessage): Set<string> {
  return new Set((graph.initializer ?? []).map((tensor) => tensor.name ?? ''));
}
