/**
 * Squared Euclidean distances between rows of two row-major matrices, by |x|^2 - 2 x.c + |c|^2 with
 * precomputed norms. Every (sample, prototype) pair is summed in the same order (t = 0..d-1, one
 * double accumulator) whichever kernel computes it, so a score found by a row scan, a column scan or a
 * single pair is bit-identical: incremental reassignment then agrees exactly with a fresh pass.
 * The tiled kernels run four independent accumulators to hide add latency.
 */

/**
 * Squared row norms of an n x d matrix, each summed in order t = 0..d-1 in one double; four rows at a
 * time so that four independent additions are in flight (one row's chain alone waits on each add).
 */
export function sqNorms(x: Float32Array, n: number, d: number, out: Float64Array = new Float64Array(n)): Float64Array {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o0 = i * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = 0; t < d; t++) {
      const a = x[o0 + t];
      const b = x[o1 + t];
      const e = x[o2 + t];
      const f = x[o3 + t];
      s0 += a * a;
      s1 += b * b;
      s2 += e * e;
      s3 += f * f;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < n; i++) {
    const o = i * d;
    let s = 0;
    for (let t = 0; t < d; t++) {
      const v = x[o + t];
      s += v * v;
    }
    out[i] = s;
  }
  return out;
}

/** Dot product of a[ao..ao+d) and b[bo..bo+d), summed in order. */
export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += a[ao + t] * b[bo + t];
  return s;
}

/**
 * The inertia of a Lloyd pass (the sum over samples of the squared distance to their centroid) from its
 * cluster sums instead of the samples' scores: sum_i |x_i|^2 + sum_j (n_j |c_j|^2 - 2 c_j . S_j), with
 * normTotal = sum_i |x_i|^2, the k x d centroids c the pass assigned to, their squared norms cn, the
 * cluster sums S (k x d doubles) and counts n; clusters in order, each c_j . S_j summed in order t =
 * 0..d-1; clamped at 0. The same quantity as the sum of the exact scores, rounded differently.
 */
export function inertiaFromSums(normTotal: number, c: Float32Array, cn: Float64Array, k: number, d: number, sums: Float64Array, counts: Float64Array): number {
  let s = normTotal;
  for (let j = 0; j < k; j++) {
    if (counts[j] === 0) continue;
    const o = j * d;
    let cs = 0;
    for (let t = 0; t < d; t++) cs += c[o + t] * sums[o + t];
    s += counts[j] * cn[j] - 2 * cs;
  }
  return s > 0 ? s : 0;
}

/**
 * Whether every double-precision sum of any of up to n float32 values, each 0 or of magnitude in
 * [minNonzero, maxAbs], is exact in any order of addition (so cluster sums added in any grouping equal
 * the sample-order sums bit for bit). Every such float32 is a multiple of 2^g, g = e - 23 where 2^e <=
 * minNonzero < 2^(e + 1) (or the subnormal step 2^-149), so every partial sum is a multiple of 2^g of
 * magnitude at most n * maxAbs, which a double holds exactly up to 2^(g + 53). Pixels / 255 (g = -31)
 * pass up to n = 2^22 samples. Non-finite values fail.
 */
export function sumsExact(n: number, minNonzero: number, maxAbs: number): boolean {
  if (!(maxAbs < Infinity)) return false;
  if (maxAbs === 0) return true;
  if (!(minNonzero > 0 && minNonzero <= maxAbs)) return false;
  let g = -149;
  if (minNonzero >= 2 ** -126) {
    let e = Math.floor(Math.log2(minNonzero));
    if (2 ** e > minNonzero) e--;
    if (2 ** (e + 1) <= minNonzero) e++;
    g = e - 23;
  }
  // n * maxAbs rounded twice upward past its rounding (relative 2^-53 each).
  return n * maxAbs * (1 + 2 ** -50) <= 2 ** (g + 53);
}

/** Squared distance from norms and a dot product, clamped at 0 (rounding can make it slightly negative). */
export function fromDot(na: number, nb: number, ab: number): number {
  const v = na + nb - 2 * ab;
  return v > 0 ? v : 0;
}

/** Direct squared distance (no norms), for small vectors and checks. */
export function sqDist(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const v = a[ao + t] - b[bo + t];
    s += v * v;
  }
  return s;
}

/**
 * Squared distances from one row x (offset xo, norm xn) to prototypes 0..k-1 of C (norms cn) into out[0..k).
 */
export function rowDistances(
  x: Float32Array,
  xo: number,
  xn: number,
  c: Float32Array,
  cn: Float64Array,
  k: number,
  d: number,
  out: Float64Array,
): void {
  let j = 0;
  for (; j + 4 <= k; j += 4) {
    const o0 = j * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = 0; t < d; t++) {
      const v = x[xo + t];
      s0 += v * c[o0 + t];
      s1 += v * c[o1 + t];
      s2 += v * c[o2 + t];
      s3 += v * c[o3 + t];
    }
    out[j] = fromDot(xn, cn[j], s0);
    out[j + 1] = fromDot(xn, cn[j + 1], s1);
    out[j + 2] = fromDot(xn, cn[j + 2], s2);
    out[j + 3] = fromDot(xn, cn[j + 3], s3);
  }
  for (; j < k; j++) out[j] = fromDot(xn, cn[j], dot(x, xo, c, j * d, d));
}

/**
 * Squared distances from two consecutive rows x (offset xo, norms xn0, xn1) to prototypes 0..k-1 into
 * out[0..k) and out[k..2k). Reusing each prototype load for two samples is about 1.6x faster than
 * rowDistances for full passes.
 */
export function rowDistances2(
  x: Float32Array,
  xo: number,
  xn0: number,
  xn1: number,
  c: Float32Array,
  cn: Float64Array,
  k: number,
  d: number,
  out: Float64Array,
): void {
  const xo1 = xo + d;
  let j = 0;
  for (; j + 4 <= k; j += 4) {
    const o0 = j * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let u0 = 0;
    let u1 = 0;
    let u2 = 0;
    let u3 = 0;
    for (let t = 0; t < d; t++) {
      const v = x[xo + t];
      const w = x[xo1 + t];
      const a = c[o0 + t];
      const b = c[o1 + t];
      const e = c[o2 + t];
      const f = c[o3 + t];
      s0 += v * a;
      s1 += v * b;
      s2 += v * e;
      s3 += v * f;
      u0 += w * a;
      u1 += w * b;
      u2 += w * e;
      u3 += w * f;
    }
    out[j] = fromDot(xn0, cn[j], s0);
    out[j + 1] = fromDot(xn0, cn[j + 1], s1);
    out[j + 2] = fromDot(xn0, cn[j + 2], s2);
    out[j + 3] = fromDot(xn0, cn[j + 3], s3);
    out[k + j] = fromDot(xn1, cn[j], u0);
    out[k + j + 1] = fromDot(xn1, cn[j + 1], u1);
    out[k + j + 2] = fromDot(xn1, cn[j + 2], u2);
    out[k + j + 3] = fromDot(xn1, cn[j + 3], u3);
  }
  for (; j < k; j++) {
    out[j] = fromDot(xn0, cn[j], dot(x, xo, c, j * d, d));
    out[k + j] = fromDot(xn1, cn[j], dot(x, xo1, c, j * d, d));
  }
}

/**
 * Squared distances from every row of X (n x d, norms xn) to one vector c (offset co, norm cnj) into out[0..n).
 */
export function columnDistances(
  x: Float32Array,
  xn: Float64Array,
  n: number,
  c: Float32Array,
  co: number,
  cnj: number,
  d: number,
  out: Float64Array,
): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o0 = i * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = 0; t < d; t++) {
      const v = c[co + t];
      s0 += x[o0 + t] * v;
      s1 += x[o1 + t] * v;
      s2 += x[o2 + t] * v;
      s3 += x[o3 + t] * v;
    }
    out[i] = fromDot(xn[i], cnj, s0);
    out[i + 1] = fromDot(xn[i + 1], cnj, s1);
    out[i + 2] = fromDot(xn[i + 2], cnj, s2);
    out[i + 3] = fromDot(xn[i + 3], cnj, s3);
  }
  for (; i < n; i++) out[i] = fromDot(xn[i], cnj, dot(x, i * d, c, co, d));
}

/**
 * Nearest of k rows of c (width d) to x[xo..xo+d) by direct squared distance (lowest index on ties);
 * -1 when k = 0. For presenting one sample to a model; full passes use the norm kernels above.
 */
export function nearestRow(c: Float32Array, k: number, d: number, x: Float32Array, xo: number): number {
  let best = -1;
  let bv = Infinity;
  for (let j = 0; j < k; j++) {
    const v = sqDist(x, xo, c, j * d, d);
    if (v < bv) {
      bv = v;
      best = j;
    }
  }
  return best;
}

/** Index of the smallest of v[0..k) (lowest index on ties), or -1 when k = 0. */
export function argmin(v: ArrayLike<number>, k: number): number {
  let best = -1;
  let bv = Infinity;
  for (let j = 0; j < k; j++) {
    if (v[j] < bv) {
      bv = v[j];
      best = j;
    }
  }
  return best;
}

/** Throw a clear error unless x holds n rows of d values. */
export function checkMatrix(what: string, x: Float32Array, n: number, d: number): void {
  if (!(x instanceof Float32Array)) throw new Error(`${what}: expected a Float32Array`);
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(d) || d <= 0) {
    throw new Error(`${what}: bad shape ${n} x ${d}`);
  }
  if (x.length < n * d) throw new Error(`${what}: ${n} x ${d} needs ${n * d} values, got ${x.length}`);
}
