/**
 * float32 ↔ float16 (IEEE 754 binary16) for tensor links: feature maps travel as float16 and are restored
 * to float32 on the receiving side (reference §B.4, paper §6). Rounding is to nearest, ties to even;
 * overflow gives ±Infinity, NaN stays NaN.
 */

export function float32ToFloat16(input: Float32Array): Uint16Array {
  const bits = new Uint32Array(input.buffer, input.byteOffset, input.length);
  const out = new Uint16Array(input.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfOfBits(bits[i]!);
  return out;
}

function halfOfBits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 | (mantissa >>> 13) : 0);
  const halfExponent = exponent - 112; // rebias 127 → 15
  if (halfExponent >= 31) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half: value = M · 2^(exponent − 150) = m · 2^−24, so m = M >> (126 − exponent).
    const shift = 126 - exponent;
    if (shift > 24) return sign;
    const full = mantissa | 0x800000;
    let half = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = sign | (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return half;
}

let table: Float32Array | undefined;

function decodeTable(): Float32Array {
  if (table) return table;
  table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) table[h] = (sign ? -1 : 1) * mantissa * 2 ** -24;
    else if (exponent === 31) bits[h] = (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
    else bits[h] = (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  }
  return table;
}

export function float16ToFloat32(input: Uint16Array): Float32Array {
  const lookup = decodeTable();
  const out = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = lookup[input[i]!]!;
  return out;
}
