/**
 * Naive reference implementations the fast kernels are tested against: direct loops, no im2col, no
 * blocking, sums in double precision, fresh outputs. Slow on purpose; never use them in training.
 */
import type { WindowGeom } from './geometry.js';

/** C = alpha * op(A) * op(B) + beta * C, as gemm() but with the triple loop. Returns C. */
export function gemmRef(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  b: Float32Array,
  beta: number,
  c: Float32Array,
): Float32Array {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i] : a[i * k + p];
        const bv = transB ? b[j * k + p] : b[p * n + j];
        acc += av * bv;
      }
      c[i * n + j] = alpha * acc + (beta === 0 ? 0 : beta * c[i * n + j]);
    }
  }
  return c;
}

/** Visit every (output position, kernel tap) pair of a window whose tap lands inside the image. */
function forEachTap(
  g: WindowGeom,
  visit: (oy: number, ox: number, i: number, j: number, iy: number, ix: number) => void,
): void {
  for (let oy = 0; oy < g.outH; oy++) {
    for (let ox = 0; ox < g.outW; ox++) {
      for (let i = 0; i < g.kernelH; i++) {
        for (let j = 0; j < g.kernelW; j++) {
          const iy = oy * g.strideH - g.padTop + i * g.dilationH;
          const ix = ox * g.strideW - g.padLeft + j * g.dilationW;
          if (iy >= 0 && iy < g.height && ix >= 0 && ix < g.width) visit(oy, ox, i, j, iy, ix);
        }
      }
    }
  }
}

/**
 * The convolution pairing behind both conv2d and its transpose: for every sample, image channel c,
 * map f, output position and tap, `pair(imageIndex, mapIndex, weightIndex)` with the layout
 * image [n, C, H, W], maps [n, F, outH, outW], weights [F, C, kH, kW].
 */
function forEachPair(g: WindowGeom, n: number, maps: number, pair: (xi: number, yi: number, wi: number) => void): void {
  const C = g.channels;
  const ph = g.height * g.width;
  const po = g.outH * g.outW;
  for (let s = 0; s < n; s++) {
    for (let f = 0; f < maps; f++) {
      for (let c = 0; c < C; c++) {
        forEachTap(g, (oy, ox, i, j, iy, ix) => {
          pair(
            (s * C + c) * ph + iy * g.width + ix,
            (s * maps + f) * po + oy * g.outW + ox,
            ((f * C + c) * g.kernelH + i) * g.kernelW + j,
          );
        });
      }
    }
  }
}

export function conv2dRef(x: Float32Array, n: number, g: WindowGeom, w: Float32Array, filters: number, bias: Float32Array | null): Float32Array {
  const po = g.outH * g.outW;
  const acc = new Float64Array(n * filters * po);
  forEachPair(g, n, filters, (xi, yi, wi) => (acc[yi] += x[xi] * w[wi]));
  if (bias) for (let i = 0; i < acc.length; i++) acc[i] += bias[Math.floor(i / po) % filters];
  return Float32Array.from(acc);
}

export function conv2dBackwardRef(
  x: Float32Array,
  dy: Float32Array,
  n: number,
  g: WindowGeom,
  w: Float32Array,
  filters: number,
): { dx: Float32Array; dw: Float32Array; db: Float32Array } {
  const po = g.outH * g.outW;
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  const db = new Float64Array(filters);
  forEachPair(g, n, filters, (xi, yi, wi) => {
    dx[xi] += dy[yi] * w[wi];
    dw[wi] += dy[yi] * x[xi];
  });
  for (let i = 0; i < n * filters * po; i++) db[Math.floor(i / po) % filters] += dy[i];
  return { dx: Float32Array.from(dx), dw: Float32Array.from(dw), db: Float32Array.from(db) };
}

/**
 * Transposed conv by direct scatter: x [n, Cin, H, W] (H x W = g.outH x g.outW), w [Cin, Cout, kH, kW],
 * y [n, Cout, g.height, g.width]. In the pairing the conv "maps" are the inputs and its "image" the output.
 */
export function convTranspose2dRef(
  x: Float32Array,
  n: number,
  inChannels: number,
  g: WindowGeom,
  w: Float32Array,
  bias: Float32Array | null,
): Float32Array {
  const ph = g.height * g.width;
  const acc = new Float64Array(n * g.channels * ph);
  forEachPair(g, n, inChannels, (yi, xi, wi) => (acc[yi] += x[xi] * w[wi]));
  if (bias) for (let i = 0; i < acc.length; i++) acc[i] += bias[Math.floor(i / ph) % g.channels];
  return Float32Array.from(acc);
}

export function convTranspose2dBackwardRef(
  x: Float32Array,
  dy: Float32Array,
  n: number,
  inChannels: number,
  g: WindowGeom,
  w: Float32Array,
): { dx: Float32Array; dw: Float32Array; db: Float32Array } {
  const ph = g.height * g.width;
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  const db = new Float64Array(g.channels);
  forEachPair(g, n, inChannels, (yi, xi, wi) => {
    dx[xi] += dy[yi] * w[wi];
    dw[wi] += dy[yi] * x[xi];
  });
  for (let i = 0; i < n * g.channels * ph; i++) db[Math.floor(i / ph) % g.channels] += dy[i];
  return { dx: Float32Array.from(dx), dw: Float32Array.from(dw), db: Float32Array.from(db) };
}

/** Pool each window of each plane with `reduce` over its in-image values (skips empty windows: 0). */
function poolRef(x: Float32Array, n: number, g: WindowGeom, reduce: (vals: number[]) => number): Float32Array {
  const planes = n * g.channels;
  const ph = g.height * g.width;
  const po = g.outH * g.outW;
  const y = new Float32Array(planes * po);
  for (let p = 0; p < planes; p++) {
    const windows: number[][] = Array.from({ length: po }, () => []);
    forEachTap(g, (oy, ox, _i, _j, iy, ix) => windows[oy * g.outW + ox].push(x[p * ph + iy * g.width + ix]));
    windows.forEach((vals, o) => (y[p * po + o] = vals.length ? reduce(vals) : 0));
  }
  return y;
}

export const maxPoolRef = (x: Float32Array, n: number, g: WindowGeom): Float32Array => poolRef(x, n, g, (v) => Math.max(...v));

export const avgPoolRef = (x: Float32Array, n: number, g: WindowGeom): Float32Array =>
  poolRef(x, n, g, (v) => v.reduce((s, t) => s + t, 0) / v.length);

/** Average-pool backward by direct spreading of each dy over its window's in-image pixels. */
export function avgPoolBackwardRef(dy: Float32Array, n: number, g: WindowGeom): Float32Array {
  const planes = n * g.channels;
  const ph = g.height * g.width;
  const po = g.outH * g.outW;
  const dx = new Float64Array(planes * ph);
  const counts = new Int32Array(po);
  forEachTap(g, (oy, ox) => counts[oy * g.outW + ox]++);
  for (let p = 0; p < planes; p++) {
    forEachTap(g, (oy, ox, _i, _j, iy, ix) => {
      const o = oy * g.outW + ox;
      dx[p * ph + iy * g.width + ix] += dy[p * po + o] / counts[o];
    });
  }
  return Float32Array.from(dx);
}

/** Max-pool backward: each dy goes to the first maximum of its window (row-major tap order). */
export function maxPoolBackwardRef(x: Float32Array, dy: Float32Array, n: number, g: WindowGeom): Float32Array {
  const planes = n * g.channels;
  const ph = g.height * g.width;
  const po = g.outH * g.outW;
  const dx = new Float64Array(planes * ph);
  for (let p = 0; p < planes; p++) {
    const best = new Float64Array(po).fill(-Infinity);
    const at = new Int32Array(po).fill(-1);
    forEachTap(g, (oy, ox, _i, _j, iy, ix) => {
      const o = oy * g.outW + ox;
      const xi = p * ph + iy * g.width + ix;
      if (x[xi] > best[o] || at[o] < 0) {
        best[o] = x[xi];
        at[o] = xi;
      }
    });
    for (let o = 0; o < po; o++) if (at[o] >= 0) dx[at[o]] += dy[p * po + o];
  }
  return Float32Array.from(dx);
}
