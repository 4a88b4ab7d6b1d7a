/**
 * Geometry of a 2-D sliding window (convolution or pooling) over one NCHW image: the image size, the
 * window, stride, dilation, the padding before (top/left; padding after is implied by the output size)
 * and the output size. Every conv, transposed-conv and pooling kernel takes one of these.
 */
export type Padding = 'same' | 'valid';

export interface WindowGeom {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly outH: number;
  readonly outW: number;
}

export interface WindowSpec {
  channels: number;
  height: number;
  width: number;
  kernelH: number;
  kernelW: number;
  strideH?: number;
  strideW?: number;
  dilationH?: number;
  dilationW?: number;
  padTop?: number;
  padBottom?: number;
  padLeft?: number;
  padRight?: number;
}

/**
 * Padding (before, after) along one axis. 'valid' adds none. 'same' gives ceil(size / stride) outputs
 * and splits the padding needed for that with the extra pixel after (TensorFlow's rule).
 */
export function padAmounts(padding: Padding, size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  if (padding === 'valid') return [0, 0];
  const span = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + span - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function posInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`window geometry: ${name} must be a positive integer, got ${v}`);
  return v;
}

function nonNegInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) throw new Error(`window geometry: ${name} must be a non-negative integer, got ${v}`);
  return v;
}

/** Build a geometry with explicit padding on each side; throws when the window does not fit. */
export function windowGeom(s: WindowSpec): WindowGeom {
  const g = {
    channels: posInt('channels', s.channels),
    height: posInt('height', s.height),
    width: posInt('width', s.width),
    kernelH: posInt('kernelH', s.kernelH),
    kernelW: posInt('kernelW', s.kernelW),
    strideH: posInt('strideH', s.strideH ?? 1),
    strideW: posInt('strideW', s.strideW ?? 1),
    dilationH: posInt('dilationH', s.dilationH ?? 1),
    dilationW: posInt('dilationW', s.dilationW ?? 1),
    padTop: nonNegInt('padTop', s.padTop ?? 0),
    padLeft: nonNegInt('padLeft', s.padLeft ?? 0),
    outH: 0,
    outW: 0,
  };
  const padBottom = nonNegInt('padBottom', s.padBottom ?? 0);
  const padRight = nonNegInt('padRight', s.padRight ?? 0);
  const spanH = (g.kernelH - 1) * g.dilationH + 1;
  const spanW = (g.kernelW - 1) * g.dilationW + 1;
  const fullH = g.height + g.padTop + padBottom;
  const fullW = g.width + g.padLeft + padRight;
  if (spanH > fullH || spanW > fullW) {
    throw new Error(
      `window geometry: a ${spanH}x${spanW} window does not fit a ${g.height}x${g.width} image padded to ${fullH}x${fullW}`,
    );
  }
  g.outH = Math.floor((fullH - spanH) / g.strideH) + 1;
  g.outW = Math.floor((fullW - spanW) / g.strideW) + 1;
  return Object.freeze(g);
}

/** Square window with 'same' or 'valid' padding, the form the layers use. */
export function squareWindow(
  channels: number,
  height: number,
  width: number,
  kernel: number,
  stride: number,
  padding: Padding,
  dilation = 1,
): WindowGeom {
  const [pt, pb] = padAmounts(padding, height, kernel, stride, dilation);
  const [pl, pr] = padAmounts(padding, width, kernel, stride, dilation);
  return windowGeom({
    channels,
    height,
    width,
    kernelH: kernel,
    kernelW: kernel,
    strideH: stride,
    strideW: stride,
    dilationH: dilation,
    dilationW: dilation,
    padTop: pt,
    padBottom: pb,
    padLeft: pl,
    padRight: pr,
  });
}

/** Rows of the im2col matrix: channels * kernelH * kernelW. */
export const colRows = (g: WindowGeom): number => g.channels * g.kernelH * g.kernelW;
/** Columns of the im2col matrix: outH * outW. */
export const colCols = (g: WindowGeom): number => g.outH * g.outW;
/** Values in one image: channels * height * width. */
export const imageSize = (g: WindowGeom): number => g.channels * g.height * g.width;

/**
 * Geometry for a transposed convolution from an input of [height x width] to `channels` output maps.
 * A transposed convolution is the adjoint of the convolution this geometry describes: its "image" is
 * the transposed conv's OUTPUT and its outH x outW is the transposed conv's INPUT. Output size per
 * axis: (in - 1) * stride + kernel - pad + outputPadding, where pad is 0 for 'valid' and
 * max(kernel - stride, 0) for 'same' (so 'same' gives in * stride when kernel >= stride), split as
 * 'same' convolution splits it. outputPadding (0 <= outputPadding < stride) adds rows/columns at the
 * bottom/right to reach sizes a strided convolution maps to the same input size.
 */
export function transposedWindow(
  channels: number,
  inH: number,
  inW: number,
  kernel: number,
  stride: number,
  padding: Padding,
  outputPadding = 0,
): WindowGeom {
  posInt('kernel', kernel);
  posInt('stride', stride);
  posInt('input height', inH);
  posInt('input width', inW);
  if (!Number.isInteger(outputPadding) || outputPadding < 0 || outputPadding >= stride) {
    throw new Error(`transposed conv: outputPadding must be an integer in [0, stride - 1] = [0, ${stride - 1}], got ${outputPadding}`);
  }
  const total = padding === 'valid' ? 0 : Math.max(kernel - stride, 0);
  const before = Math.floor(total / 2);
  const outH = (inH - 1) * stride + kernel - total + outputPadding;
  const outW = (inW - 1) * stride + kernel - total + outputPadding;
  const g = windowGeom({
    channels,
    height: outH,
    width: outW,
    kernelH: kernel,
    kernelW: kernel,
    strideH: stride,
    strideW: stride,
    padTop: before,
    padBottom: total - before,
    padLeft: before,
    padRight: total - before,
  });
  if (g.outH !== inH || g.outW !== inW) {
    throw new Error(`transposed conv: internal geometry mismatch (${g.outH}x${g.outW} vs input ${inH}x${inW})`);
  }
  return g;
}
