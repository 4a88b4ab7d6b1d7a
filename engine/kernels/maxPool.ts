/**
 * Max pooling on NCHW batches. Padded positions never win (they act as -infinity). The forward pass
 * records, for every output, the flat index into x of the winning input (the first maximum in
 * row-major window order), or -1 for a window that lies wholly in padding (output 0).
 *   x: [n, C, H, W]   y, argmax: [n, C, outH, outW]
 * With the wasm backend active both passes run in WebAssembly (pointwiseWasm.ts), same results.
 */
import { wasmActive } from './backend.js';
import type { WindowGeom } from './geometry.js';
import { maxPoolBackwardWasm, maxPoolForwardWasm } from './pointwiseWasm.js';

export function maxPoolForward(x: Float32Array, n: number, g: WindowGeom, y: Float32Array, argmax: Int32Array): void {
  const h = wasmActive();
  if (h) return maxPoolForwardWasm(h, x, n, g, y, argmax);
  const { height, width, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW } = g;
  const planes = n * g.channels;
  const inPlane = height * width;
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * inPlane;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * strideW - padLeft;
        let best = -Infinity;
        let at = -1;
        for (let i = 0; i < kernelH; i++) {
          const iy = y0 + i * dilationH;
          if (iy < 0 || iy >= height) continue;
          const row = base + iy * width;
          for (let j = 0; j < kernelW; j++) {
            const ix = x0 + j * dilationW;
            if (ix < 0 || ix >= width) continue;
            const v = x[row + ix];
            if (v > best || at < 0) {
              best = v;
              at = row + ix;
            }
          }
        }
        y[o] = at < 0 ? 0 : best;
        argmax[o] = at;
      }
    }
  }
}

/**
 * dx is OVERWRITTEN: each dy goes to the input that won its window. `count` = n*C*outH*outW; `planes`
 * = n*C when known (the kernel threads then split the planes).
 */
export function maxPoolBackward(dy: Float32Array, argmax: Int32Array, count: number, dx: Float32Array, dxLength: number, planes = 1): void {
  const h = wasmActive();
  if (h) return maxPoolBackwardWasm(h, dy, argmax, count, dx, dxLength, planes);
  dx.fill(0, 0, dxLength);
  for (let o = 0; o < count; o++) {
    const at = argmax[o];
    if (at >= 0) dx[at] += dy[o];
  }
}
