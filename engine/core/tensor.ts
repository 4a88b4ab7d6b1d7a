/**
 * The engine's tensor: a flat Float32Array plus a shape, row-major.
 * Image batches are NCHW: [batch, channels, height, width]. Dense activations are [batch, features].
 */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensor(shape: readonly number[], data?: Float32Array | ArrayLike<number>): Tensor {
  const n = sizeOf(shape);
  let d: Float32Array;
  if (data === undefined) d = new Float32Array(n);
  else if (data instanceof Float32Array) d = data;
  else d = Float32Array.from(data);
  if (d.length !== n) throw new Error(`tensor: shape [${shape.join(',')}] needs ${n} values, got ${d.length}`);
  return { shape: [...shape], data: d };
}

export const zeros = (shape: readonly number[]): Tensor => tensor(shape);

/** Same data, new shape (no copy). */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  return tensor(shape, t.data);
}

export function clone(t: Tensor): Tensor {
  return { shape: [...t.shape], data: new Float32Array(t.data) };
}

export function shapeEq(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function shapeStr(s: readonly number[]): string {
  return `[${s.join('x')}]`;
}

/** True when every value is finite. */
export function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}
