/**
 * im2col / col2im for one NCHW image. The column matrix is [channels*kernelH*kernelW, outH*outW],
 * row (c*kernelH + i)*kernelW + j holding, for every output position, the input pixel that kernel tap
 * (i, j) of channel c sees (0 where it falls in the padding). A convolution is then one GEMM.
 */
import type { WindowGeom } from './geometry.js';

/** First output index whose tap at offset `off` (input index o*stride + off) is >= 0. */
function firstValid(off: number, stride: number, outSize: number): number {
  return off >= 0 ? 0 : Math.min(outSize, Math.ceil(-off / stride));
}

/** One past the last output index whose tap at offset `off` is < size (never below `lo`). */
function endValid(off: number, stride: number, size: number, outSize: number, lo: number): number {
  const hi = size - 1 - off < 0 ? 0 : Math.min(outSize, Math.floor((size - 1 - off) / stride) + 1);
  return Math.max(lo, hi);
}

/** Fill `col` (from colOff) with the column matrix of the image at x[xOff ...]. */
export function im2col(x: Float32Array, xOff: number, g: WindowGeom, col: Float32Array, colOff: number): void {
  const { channels, height, width, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW } = g;
  let dst = colOff;
  for (let c = 0; c < channels; c++) {
    const plane = xOff + c * height * width;
    for (let i = 0; i < kernelH; i++) {
      const offY = i * dilationH - padTop;
      for (let j = 0; j < kernelW; j++) {
        const offX = j * dilationW - padLeft;
        const lo = firstValid(offX, strideW, outW);
        const hi = endValid(offX, strideW, width, outW, lo);
        for (let oy = 0; oy < outH; oy++) {
          const iy = oy * strideH + offY;
          if (iy < 0 || iy >= height) {
            col.fill(0, dst, dst + outW);
            dst += outW;
            continue;
          }
          const row = plane + iy * width + offX;
          for (let ox = 0; ox < lo; ox++) col[dst + ox] = 0;
          for (let ox = lo; ox < hi; ox++) col[dst + ox] = x[row + ox * strideW];
          for (let ox = hi; ox < outW; ox++) col[dst + ox] = 0;
          dst += outW;
        }
      }
    }
  }
}

/** The adjoint of im2col: ADD each column entry back into the image at dx[dxOff ...] (padding dropped). */
export function col2im(col: Float32Array, colOff: number, g: WindowGeom, dx: Float32Array, dxOff: number): void {
  const { channels, height, width, kernelH, kernelW, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW } = g;
  let src = colOff;
  for (let c = 0; c < channels; c++) {
    const plane = dxOff + c * height * width;
    for (let i = 0; i < kernelH; i++) {
      const offY = i * dilationH - padTop;
      for (let j = 0; j < kernelW; j++) {
        const offX = j * dilationW - padLeft;
        const lo = firstValid(offX, strideW, outW);
        const hi = endValid(offX, strideW, width, outW, lo);
        for (let oy = 0; oy < outH; oy++, src += outW) {
          const iy = oy * strideH + offY;
          if (iy < 0 || iy >= height) continue;
          const row = plane + iy * width + offX;
          for (let ox = lo; ox < hi; ox++) dx[row + ox * strideW] += col[src + ox];
        }
      }
    }
  }
}
