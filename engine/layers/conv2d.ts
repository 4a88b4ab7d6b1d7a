/**
 * conv2d: 2-D convolution of NCHW images through im2col + GEMM. Weights W [filters, C, k, k], bias [filters].
 * Config: filters, kernel (square), stride, padding 'same' (ceil(size/stride) outputs) or 'valid',
 * dilation, useBias, init, biasInit. The im2col scratch is per sample, allocated once per layer.
 */
import type { Rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { conv2dBackward, conv2dForward } from '../kernels/conv2d.js';
import { colCols, colRows, squareWindow, type Padding, type WindowGeom } from '../kernels/geometry.js';
import { batchOf, oneOf, positiveInt, rank, validInit } from './checks.js';
import { initConstant, initWeights, type InitName } from './init.js';
import { registerLayer, type Buffer, type ForwardContext, type Layer, type Param } from './layer.js';
import { makeParam } from './param.js';
import { f32Of, type Arena } from '../core/arena.js';

export interface Conv2dConfig {
  filters: number;
  kernel: number;
  stride: number;
  padding: Padding;
  dilation: number;
  useBias: boolean;
  init: InitName;
  biasInit: number;
}

const TYPE = 'conv2d';
export const PADDINGS: readonly Padding[] = ['same', 'valid'];

function geometry(c: Conv2dConfig, inputShape: readonly number[]): WindowGeom {
  const [ch, h, w] = inputShape;
  return squareWindow(ch, h, w, c.kernel, c.stride, c.padding, c.dilation);
}

class Conv2d implements Layer<Conv2dConfig, Tensor> {
  readonly type = TYPE;
  readonly outputShape: readonly number[];
  readonly #g: WindowGeom;
  readonly #w: Param;
  readonly #b: Param | null;
  readonly #col: Float32Array;

  constructor(
    readonly config: Readonly<Conv2dConfig>,
    readonly inputShape: readonly number[],
    rng: Rng,
  ) {
    const g = geometry(config, inputShape);
    const f = config.filters;
    const k = config.kernel;
    this.#g = g;
    this.outputShape = [f, g.outH, g.outW];
    this.#w = makeParam('W', [f, g.channels, k, k], true);
    initWeights(this.#w.value, config.init, g.channels * k * k, f * k * k, rng);
    this.#b = config.useBias ? makeParam('b', [f], false) : null;
    if (this.#b) initConstant(this.#b.value, config.biasInit);
    this.#col = new Float32Array(colRows(g) * colCols(g));
  }

  forward(x: Tensor, ctx: ForwardContext, relu = false): { y: Tensor; cache: Tensor } {
    const n = batchOf(TYPE, x, this.inputShape);
    const f = this.config.filters;
    const y = f32Of(ctx.arena, n * f * colCols(this.#g), false); // overwritten
    conv2dForward(x.data, n, this.#g, this.#w.value, f, this.#b?.value ?? null, y, this.#col, relu);
    return { y: tensor([n, ...this.outputShape], y), cache: x };
  }

  /** The convolution with ReLU applied as each image's output is written (kernels: conv2dForward's relu). */
  forwardRelu(x: Tensor, ctx: ForwardContext): { y: Tensor; cache: Tensor } {
    return this.forward(x, ctx, true);
  }

  backward(x: Tensor, dy: Tensor, needInput = true, arena?: Arena, paramGrads = true): Tensor {
    const n = x.shape[0];
    const dx = needInput ? f32Of(arena, x.data.length, false) : null; // overwritten
    const dw = paramGrads ? this.#w.grad : null;
    conv2dBackward(x.data, dy.data, n, this.#g, this.#w.value, this.config.filters, dx, dw, this.#b?.grad ?? null, this.#col);
    return dx ? tensor(x.shape, dx) : tensor([0], new Float32Array(0));
  }

  params(): Param[] {
    return this.#b ? [this.#w, this.#b] : [this.#w];
  }

  buffers(): Buffer[] {
    return [];
  }
}

registerLayer<Conv2dConfig>({
  type: TYPE,
  defaults: Object.freeze({ filters: 8, kernel: 3, stride: 1, padding: 'same', dilation: 1, useBias: true, init: 'he', biasInit: 0 }),
  validate(c, inputShape) {
    positiveInt(TYPE, 'filters', c.filters);
    positiveInt(TYPE, 'kernel', c.kernel);
    positiveInt(TYPE, 'stride', c.stride);
    positiveInt(TYPE, 'dilation', c.dilation);
    oneOf(TYPE, 'padding', c.padding, PADDINGS);
    validInit(TYPE, 'init', c.init);
    rank(TYPE, inputShape, [3]);
    try {
      geometry(c, inputShape);
    } catch (e) {
      throw new Error(`layer "${TYPE}": ${(e as Error).message}`);
    }
  },
  create: (c, inputShape, rng) => new Conv2d(c, inputShape, rng),
});
