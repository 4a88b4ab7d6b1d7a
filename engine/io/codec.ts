/**
 * Tensor encoding of the model file: the values as little-endian IEEE-754 float32 (masks: one byte per
 * entry), as standard base64 (RFC 4648, with padding, no line breaks). Exact: the floats come back
 * bit for bit. Decoding is strict: any character outside the alphabet, a wrong length or a non-finite
 * value is refused, naming the tensor.
 */
import { endianness } from 'node:os';
import { sizeOf } from '../core/tensor.js';
import { ModelFileError } from './errors.js';
import { LIMITS } from './limits.js';

export interface EncodedTensor {
  dtype: 'float32';
  shape: number[];
  data: string;
}

export interface EncodedMask {
  dtype: 'uint8';
  shape: number[];
  data: string;
}

/** Double-precision values (weights a model keeps in float64), little-endian, base64. */
export interface EncodedFloat64 {
  dtype: 'float64';
  shape: number[];
  data: string;
}

/** 32-bit signed integers (indices, e.g. a saved sample order), little-endian, base64. */
export interface EncodedInt32 {
  dtype: 'int32';
  shape: number[];
  data: string;
}

type Encoded = EncodedTensor | EncodedMask | EncodedFloat64 | EncodedInt32;

const BYTES: Record<Encoded['dtype'], number> = { float32: 4, uint8: 1, float64: 8, int32: 4 };

const LE = endianness() === 'LE';

export function encodeFloat32(values: Float32Array): string {
  if (LE) return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
  const b = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) b.writeFloatLE(values[i], i * 4);
  return b.toString('base64');
}

export function encodeTensor(shape: readonly number[], values: Float32Array): EncodedTensor {
  return { dtype: 'float32', shape: [...shape], data: encodeFloat32(values) };
}

export function encodeMask(shape: readonly number[], mask: Uint8Array): EncodedMask {
  return { dtype: 'uint8', shape: [...shape], data: Buffer.from(mask.buffer, mask.byteOffset, mask.byteLength).toString('base64') };
}

/** Base64 characters needed for n bytes. */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** Shape checks that need no decoding: rank, axis sizes, element count, and the encoded length. */
export function checkEncoded(t: Encoded, what: string): number {
  const { shape } = t;
  if (shape.length > LIMITS.maxRank) throw new ModelFileError(`${what}: ${shape.length} axes, at most ${LIMITS.maxRank} allowed`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1 || d > LIMITS.maxDim) {
      throw new ModelFileError(`${what}: axis size ${d} is not an integer in 1..${LIMITS.maxDim}`);
    }
  }
  const n = sizeOf(shape);
  if (n > LIMITS.maxTensorElements) throw new ModelFileError(`${what}: ${n} values, at most ${LIMITS.maxTensorElements} allowed`);
  const bytes = n * BYTES[t.dtype];
  if (t.data.length !== base64Length(bytes)) {
    throw new ModelFileError(
      `${what}: data has ${t.data.length} base64 characters, shape [${shape.join(', ')}] needs ${base64Length(bytes)} (${bytes} bytes)`,
    );
  }
  return n;
}

function decodeBytes(data: string, bytes: number, what: string): Buffer {
  const b = Buffer.from(data, 'base64');
  // Buffer.from skips characters outside the alphabet; the exact round trip refuses them (and is
  // native, where a regular expression over 100 MB of text took seconds).
  if (b.toString('base64') !== data) throw new ModelFileError(`${what}: data is not base64`);
  if (b.length !== bytes) throw new ModelFileError(`${what}: data decodes to ${b.length} bytes, expected ${bytes}`);
  return b;
}

/** Decode a float32 tensor; every value must be finite and within ±bound (weights by default). */
export function decodeTensor(t: EncodedTensor, what: string, bound: number = LIMITS.maxWeight): Float32Array {
  const n = checkEncoded(t, what);
  const b = decodeBytes(t.data, n * 4, what);
  const out = new Float32Array(n);
  if (LE) new Uint8Array(out.buffer).set(b);
  else for (let i = 0; i < n; i++) out[i] = b.readFloatLE(i * 4);
  checkValues(out, what, bound);
  return out;
}

function checkValues(out: Float32Array | Float64Array, what: string, bound: number): void {
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    if (!(Math.abs(v) <= bound)) {
      throw new ModelFileError(`${what}: value ${i} is ${v} (values must be finite${Number.isFinite(v) ? ` and within ±${bound}` : ''})`);
    }
  }
}

/** Decode a pruning mask; every entry must be 0 or 1. */
export function decodeMask(t: EncodedMask, what: string): Uint8Array {
  const n = checkEncoded(t, what);
  const out = new Uint8Array(decodeBytes(t.data, n, what));
  for (let i = 0; i < n; i++) if (out[i] > 1) throw new ModelFileError(`${what}: entry ${i} is ${out[i]} (a mask holds 0 or 1)`);
  return out;
}

export function encodeFloat64(shape: readonly number[], values: Float64Array): EncodedFloat64 {
  const b = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) b.writeDoubleLE(values[i], i * 8);
  return { dtype: 'float64', shape: [...shape], data: b.toString('base64') };
}

/** Decode a float64 tensor; every value must be finite and within ±bound. */
export function decodeFloat64(t: EncodedFloat64, what: string, bound: number = LIMITS.maxWeight): Float64Array {
  const n = checkEncoded(t, what);
  const b = decodeBytes(t.data, n * 8, what);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = b.readDoubleLE(i * 8);
  checkValues(out, what, bound);
  return out;
}

export function encodeInt32(shape: readonly number[], values: Int32Array): EncodedInt32 {
  const b = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) b.writeInt32LE(values[i], i * 4);
  return { dtype: 'int32', shape: [...shape], data: b.toString('base64') };
}

export function decodeInt32(t: EncodedInt32, what: string): Int32Array {
  const n = checkEncoded(t, what);
  const b = decodeBytes(t.data, n * 4, what);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = b.readInt32LE(i * 4);
  return out;
}
