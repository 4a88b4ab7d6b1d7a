/**
 * Weight layouts for TensorFlow.js (Keras): convolution kernels are [kh, kw, in, out] where Locus keeps
 * [out, in, kh, kw]; transposed-convolution kernels are [kh, kw, out, in] where Locus keeps
 * [in, out, kh, kw]; dense kernels are [in, units] in both.
 */
import { sizeOf } from '../core/tensor.js';

/** Reorder the axes of a row-major array: output axis i is input axis perm[i]. Returns a new array. */
export function permuteAxes(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new Error(`permuteAxes: [${perm.join(', ')}] is not a permutation of ${rank} axes`);
  }
  if (data.length !== sizeOf(shape)) throw new Error(`permuteAxes: ${data.length} values for shape [${shape.join(', ')}]`);
  const inStrides = new Array<number>(rank);
  for (let a = rank - 1, s = 1; a >= 0; a--) {
    inStrides[a] = s;
    s *= shape[a];
  }
  const outShape = perm.map((p) => shape[p]);
  const strides = perm.map((p) => inStrides[p]);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src];
    // Odometer over the output index, tracking the matching input offset.
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]++;
      src += strides[a];
      if (idx[a] < outShape[a]) break;
      src -= strides[a] * outShape[a];
      idx[a] = 0;
    }
  }
  return out;
}

/** Conv2D kernel: Locus [out, in, kh, kw] -> Keras [kh, kw, in, out]. */
export function convKernel(w: Float32Array, shape: readonly number[]): { shape: number[]; data: Float32Array } {
  return { shape: [shape[2], shape[3], shape[1], shape[0]], data: permuteAxes(w, shape, [2, 3, 1, 0]) };
}

/** Conv2DTranspose kernel: Locus [in, out, kh, kw] -> Keras [kh, kw, out, in] (the same axis move). */
export const convTransposeKernel = convKernel;

/** A copy scaled by s (s = -1 negates). */
export function scaled(data: Float32Array, s: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * s;
  return out;
}
