/**
 * The binary frame of a tensor link: u32 little-endian header length, the header as JSON (zod-validated on
 * receipt), then the tensors' bytes back to back. Float32 tensors may travel as float16 (the header says
 * which); emulated hops send headers only and declare the bytes they stand for.
 */
import { z } from 'zod';
import type { PlainData, PlainTensor } from '../../models/index.ts';
import { float16ToFloat32, float32ToFloat16 } from '../../models/index.ts';
import { describeIssues } from '../../config/index.ts';

export const frameHopSchema = z
  .object({
    nodeId: z.string().min(1),
    key: z.string().min(1).describe('Pool key `<dnn>/<pipeline>/<partition>`'),
    instance: z.number().int().min(0),
    endpoint: z.string().regex(/^wss?:\/\/.+/),
    plannedStartUs: z.number().describe('Planned start, µs after dispatch'),
  })
  .strict();

export const wireTensorSchema = z
  .object({
    name: z.string().min(1),
    /** Dtype on the wire; `float16` is restored to float32 on receipt. */
    dtype: z.enum(['float32', 'float16', 'float64', 'int64', 'int32', 'uint8', 'bool']),
    shape: z.array(z.number().int().min(0)),
    byteLength: z.number().int().min(0),
  })
  .strict();

export const hopTimingSchema = z
  .object({
    nodeId: z.string(),
    key: z.string(),
    instance: z.number().int(),
    queueUs: z.number().min(0),
    inferUs: z.number().min(0),
    sendUs: z.number().min(0),
  })
  .strict();

export const frameHeaderSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('batch'),
      batchId: z.string().min(1),
      dnn: z.string().min(1),
      requestIds: z.array(z.string()).min(1),
      hop: z.number().int().min(0),
      path: z.array(frameHopSchema).min(1),
      replyTo: z.string().regex(/^wss?:\/\/.+/),
      tensors: z.array(wireTensorSchema),
      declaredBytes: z.number().min(0).describe('Bytes this frame stands for on the network (paced by them)'),
      timings: z.array(hopTimingSchema),
    })
    .strict(),
  z
    .object({
      type: z.literal('result'),
      batchId: z.string().min(1),
      requestIds: z.array(z.string()),
      tensors: z.array(wireTensorSchema),
      declaredBytes: z.number().min(0),
      timings: z.array(hopTimingSchema),
      error: z.string().optional(),
    })
    .strict(),
]);

export type FrameHop = z.infer<typeof frameHopSchema>;
export type WireTensor = z.infer<typeof wireTensorSchema>;
export type HopTiming = z.infer<typeof hopTimingSchema>;
export type FrameHeader = z.infer<typeof frameHeaderSchema>;
export type BatchHeader = Extract<FrameHeader, { type: 'batch' }>;
export type ResultHeader = Extract<FrameHeader, { type: 'result' }>;

export type NamedTensor = PlainTensor & { readonly name: string };

/** The payload starts at a multiple of this, so that the receiver can view tensors in place (see viewOrCopy). */
const PAYLOAD_ALIGNMENT = 8;

export function encodeFrame(header: FrameHeader, payload: ReadonlyArray<Uint8Array> = []): Buffer {
  const text = JSON.stringify(header);
  // Trailing spaces are still the same JSON.
  const padding = (PAYLOAD_ALIGNMENT - ((4 + Buffer.byteLength(text)) % PAYLOAD_ALIGNMENT)) % PAYLOAD_ALIGNMENT;
  const json = Buffer.from(text + ' '.repeat(padding), 'utf8');
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32LE(json.length, 0);
  return Buffer.concat([prefix, json, ...payload]);
}

export type DecodedFrame = { ok: true; header: FrameHeader; payload: Buffer } | { ok: false; reason: string };

/** Never throws: a bad frame gives a reason naming the field. */
export function decodeFrame(frame: Buffer): DecodedFrame {
  if (frame.length < 4) return { ok: false, reason: 'frame shorter than its length prefix' };
  const length = frame.readUInt32LE(0);
  if (length > frame.length - 4)
    return { ok: false, reason: `header length ${length} exceeds the frame (${frame.length - 4} bytes)` };
  let data: unknown;
  try {
    data = JSON.parse(frame.subarray(4, 4 + length).toString('utf8')) as unknown;
  } catch (error) {
    return { ok: false, reason: `header is not JSON: ${(error as Error).message}` };
  }
  const parsed = frameHeaderSchema.safeParse(data);
  if (!parsed.success) return { ok: false, reason: `header ${describeIssues(parsed.error.issues)}` };
  const payload = frame.subarray(4 + length);
  const total = parsed.data.tensors.reduce((sum, t) => sum + t.byteLength, 0);
  if (total !== payload.length)
    return { ok: false, reason: `tensors declare ${total} bytes, the payload holds ${payload.length}` };
  return { ok: true, header: parsed.data, payload };
}

function bytesOf(data: PlainData | Uint16Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Wire descriptions and bytes of tensors; float32 becomes float16 when asked. */
export function packTensors(
  tensors: ReadonlyArray<NamedTensor>,
  linkDtype: 'float16' | 'float32',
): { wire: WireTensor[]; payload: Uint8Array[] } {
  const wire: WireTensor[] = [];
  const payload: Uint8Array[] = [];
  for (const tensor of tensors) {
    let bytes: Uint8Array;
    let dtype = tensor.dtype as WireTensor['dtype'];
    if (tensor.dtype === 'float32' && linkDtype === 'float16') {
      bytes = bytesOf(float32ToFloat16(tensor.data as Float32Array));
      dtype = 'float16';
    } else bytes = bytesOf(tensor.data);
    wire.push({ name: tensor.name, dtype, shape: [...tensor.dims], byteLength: bytes.byteLength });
    payload.push(bytes);
  }
  return { wire, payload };
}

type TypedArrayKind<T> = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  new (buffer: ArrayBuffer): T;
  readonly BYTES_PER_ELEMENT: number;
};

/**
 * The bytes as a typed array: a view of the received frame when they are aligned for it (encodeFrame aligns
 * the payload, and every tensor's bytes are a multiple of its width), else a copy. A view keeps the frame's
 * buffer alive and saves copying megabytes per hop; nothing writes into a received frame.
 */
function viewOrCopy<T>(Kind: TypedArrayKind<T>, bytes: Uint8Array): T {
  const width = Kind.BYTES_PER_ELEMENT;
  if (bytes.byteOffset % width === 0) return new Kind(bytes.buffer, bytes.byteOffset, bytes.byteLength / width);
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return new Kind(buffer);
}

/** Per wire dtype: the tensor's dtype and data from its payload bytes (float16 comes back as float32). */
const DECODE_WIRE: Record<WireTensor['dtype'], (bytes: Uint8Array) => { dtype: string; data: PlainData }> = {
  float16: (bytes) => ({ dtype: 'float32', data: float16ToFloat32(viewOrCopy(Uint16Array, bytes)) }),
  float32: (bytes) => ({ dtype: 'float32', data: viewOrCopy(Float32Array, bytes) }),
  float64: (bytes) => ({ dtype: 'float64', data: viewOrCopy(Float64Array, bytes) }),
  int64: (bytes) => ({ dtype: 'int64', data: viewOrCopy(BigInt64Array, bytes) }),
  int32: (bytes) => ({ dtype: 'int32', data: viewOrCopy(Int32Array, bytes) }),
  uint8: (bytes) => ({ dtype: 'uint8', data: viewOrCopy(Uint8Array, bytes) }),
  bool: (bytes) => ({ dtype: 'bool', data: viewOrCopy(Uint8Array, bytes) }),
};

/** Tensors from a frame's payload (float16 restored to float32); throws on a size that does not match. */
export function unpackTensors(wire: ReadonlyArray<WireTensor>, payload: Buffer): NamedTensor[] {
  const out: NamedTensor[] = [];
  let offset = 0;
  for (const spec of wire) {
    const bytes = payload.subarray(offset, offset + spec.byteLength);
    offset += spec.byteLength;
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const width = { float32: 4, float16: 2, float64: 8, int64: 8, int32: 4, uint8: 1, bool: 1 }[spec.dtype];
    if (count * width !== spec.byteLength)
      throw new Error(
        `tensor ${spec.name}: shape [${spec.shape.join(', ')}] of ${spec.dtype} needs ${count * width} bytes, got ` +
          `${spec.byteLength}`,
      );
    const { dtype, data } = DECODE_WIRE[spec.dtype](bytes);
    out.push({ name: spec.name, dtype, dims: spec.shape, data });
  }
  return out;
}
