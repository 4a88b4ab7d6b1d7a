/**
 * Average pooling on NCHW batches. Each output is the mean of the window's pixels that lie inside the
 * image: padding is excluded from the count (TensorFlow's 'SAME' behaviour), so borders are not darkened.
 *   x: [n, C, H, W]   y: [n, C, outH, outW]
 */
import type { WindowGeom } from './geometry.js';

/** Number of in-image taps along one axis for the window starting at `start`. */
function taps(start: number, kernel: number, dilation: number, size: number): number {
  let c = 0;
  for (let i = 0; i < kernel; i++) {
    const p = start + i * dilation;
    if (p >= 0 && p < size) c++;
  }
  return c;
}

export function avgPoolForward(x: Float32Array, n: number, g: WindowGeom, y: Float32Array): void {
  const { height, width, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW } = g;
  const planes = n * g.channels;
  const inPlane = height * width;
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * inPlane;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      const ty = taps(y0, kernelH, dilationH, height);
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * strideW - padLeft;
        const count = ty * taps(x0, kernelW, dilationW, width);
        let acc = 0;
        for (let i = 0; i < kernelH; i++) {
          const iy = y0 + i * dilationH;
          if (iy < 0 || iy >= height) continue;
          const row = base + iy * width;
          for (let j = 0; j < kernelW; j++) {
            const ix = x0 + j * dilationW;
            if (ix >= 0 && ix < width) acc += x[row + ix];
          }
        }
        y[o] = count > 0 ? acc / count : 0;
      }
    }
  }
}

/** dx is OVERWRITTEN: each dy is shared equally among its window's in-image pixels. */
export function avgPoolBackward(dy: Float32Array, n: number, g: WindowGeom, dx: Float32Array): void {
  const { height, width, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW } = g;
  const planes = n * g.channels;
  const inPlane = height * width;
  dx.fill(0, 0, planes * inPlane);
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * inPlane;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      const ty = taps(y0, kernelH, dilationH, height);
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * strideW - padLeft;
        const count = ty * taps(x0, kernelW, dilationW, width);
        if (count === 0) continue;
        const share = dy[o] / count;
        for (let i = 0; i < kernelH; i++) {
          const iy = y0 + i * dilationH;
          if (iy < 0 || iy >= height) continue;
          const row = base + iy * width;
          for (let j = 0; j < kernelW; j++) {
            const ix = x0 + j * dilationW;
            if (ix >= 0 && ix < width) dx[row + ix] += share;
          }
        }
      }
    }
  }
}
