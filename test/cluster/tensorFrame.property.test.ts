// Property tests of the tensor-link frame: any bytes decode to a frame or a reason, never a throw; a frame
// built by the sender decodes to the same header and tensors, wherever it lies in the received buffer (views
// when aligned, copies when not); every truncation of it is refused.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { decodeFrame, encodeFrame, packTensors, unpackTensors } from '../../src/cluster/index.ts';
import type { FrameHeader, NamedTensor } from '../../src/cluster/index.ts';
import { propertyRuns } from '../fuzz.ts';

const tensorArbitrary: fc.Arbitrary<NamedTensor> = fc
  .record({
    name: fc.string({ minLength: 1, maxLength: 12 }),
    dtype: fc.constantFrom('float32', 'int32', 'uint8'),
    dims: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }),
  })
  .chain(({ name, dtype, dims }) => {
    const count = dims.reduce((a, b) => a * b, 1);
    const values = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: count, maxLength: count });
    return values.map((numbers): NamedTensor => {
      const data =
        dtype === 'float32'
          ? Float32Array.from(numbers, (n) => n / 7)
          : dtype === 'int32'
            ? Int32Array.from(numbers, (n) => n - 128)
            : Uint8Array.from(numbers);
      return { name, dtype, dims, data };
    });
  });

function resultFrame(tensors: NamedTensor[], batchId: string): { header: FrameHeader; frame: Buffer } {
  const { wire, payload } = packTensors(tensors, 'float32');
  const header: FrameHeader = {
    type: 'result',
    batchId,
    requestIds: ['r1'],
    tensors: wire,
    declaredBytes: wire.reduce((sum, t) => sum + t.byteLength, 0),
    timings: [],
  };
  return { header, frame: encodeFrame(header, payload) };
}

it('arbitrary bytes decode to a frame or a reason, never a throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      const decoded = decodeFrame(Buffer.from(bytes));
      if (!decoded.ok) assert.ok(decoded.reason.length > 0);
    }),
    propertyRuns(1000),
  );
});

it('a length prefix followed by arbitrary JSON is refused with a reason unless it is a valid header', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => {
      const json = Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32LE(json.length, 0);
      const decoded = decodeFrame(Buffer.concat([prefix, json]));
      assert.ok(!decoded.ok, 'arbitrary JSON is not a frame header');
      assert.match(decoded.reason, /^header /);
    }),
    propertyRuns(500),
  );
});

it("the sender's frames decode to the same header and tensors; every truncation is refused", () => {
  fc.assert(
    fc.property(
      fc.array(tensorArbitrary, { maxLength: 3 }),
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.nat(),
      fc.integer({ min: 0, max: 7 }),
      (tensors, batchId, cutSeed, shift) => {
        const { header, frame: sent } = resultFrame(tensors, batchId);
        // The frame as received at `shift` bytes into a larger buffer.
        const frame = Buffer.alloc(sent.length + shift).subarray(shift);
        sent.copy(frame);
        const decoded = decodeFrame(frame);
        assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
        assert.deepEqual(decoded.header, header);
        const unpacked = unpackTensors(decoded.header.tensors, decoded.payload);
        assert.deepEqual(
          unpacked.map((t) => ({
            name: t.name,
            dtype: t.dtype,
            dims: t.dims,
            data: Array.from(t.data as ArrayLike<number>),
          })),
          tensors.map((t) => ({
            name: t.name,
            dtype: t.dtype,
            dims: t.dims,
            data: Array.from(t.data as ArrayLike<number>),
          })),
        );
        const cut = 1 + (cutSeed % frame.length);
        assert.ok(!decodeFrame(frame.subarray(0, frame.length - cut)).ok, `cut by ${cut} bytes`);
      },
    ),
    propertyRuns(300),
  );
});

it('an aligned frame gives tensors that view its bytes instead of copying them', () => {
  const data = Float32Array.from({ length: 1000 }, (_, i) => i / 3);
  const { frame } = resultFrame([{ name: 'heads', dtype: 'float32', dims: [1, 1000], data }], 'b1');
  const decoded = decodeFrame(frame);
  assert.ok(decoded.ok);
  assert.equal((4 + frame.readUInt32LE(0)) % 8, 0, 'the payload starts 8-aligned');
  const [tensor] = unpackTensors(decoded.header.tensors, decoded.payload);
  assert.equal(tensor!.data.buffer, frame.buffer);
  assert.deepEqual(tensor!.data, data);
});
