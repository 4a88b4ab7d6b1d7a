/**
 * convTranspose2d: transposed convolution (the adjoint of conv2d), for upsampling in generators and
 * decoders. Weights W [inChannels, filters, k, k], bias [filters]. Output size per axis:
 * 'same' -> in * stride (for kernel >= stride), 'valid' -> (in - 1) * stride + kernel; outputPadding
 * (< stride) adds that many rows/columns at the bottom/right. Defaults double the size (k 3, stride 2).
 */
import type { Rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { f32Of, type Arena } from '../core/arena.js';
import { convTranspose2dBackward, convTranspose2dForward } from '../kernels/convTranspose2d.js';
import { colCols, colRows, imageSize, transposedWindow, type Padding, type WindowGeom } from '../kernels/geometry.js';
import { batchOf, nonNegativeInt, oneOf, positiveInt, rank, validInit } from './checks.js';
import { PADDINGS } from './conv2d.js';
import { initConstant, initWeights, type InitName } from './init.js';
import { registerLayer, type Buffer, type ForwardContext, type Layer, type Param } from './layer.js';
import { makeParam } from './param.js';

export interface ConvTranspose2dConfig {
  filters: number;
  kernel: number;
  stride: number;
  padding: Padding;
  outputPadding: number;
  useBias: boolean;
  init: InitName;
  biasInit: number;
}

const TYPE = 'convTranspose2d';

function geometry(c: ConvTranspose2dConfig, inputShape: readonly number[]): WindowGeom {
  const [, h, w] = inputShape;
  return transposedWindow(c.filters, h, w, c.kernel, c.stride, c.padding, c.outputPadding);
}

class ConvTranspose2d implements Layer<ConvTranspose2dConfig, Tensor> {
  readonly type = TYPE;
  readonly outputShape: readonly number[];
  readonly #g: WindowGeom;
  readonly #cin: number;
  readonly #w: Param;
  readonly #b: Param | null;
  readonly #col: Float32Array;

  constructor(
    readonly config: Readonly<ConvTranspose2dConfig>,
    readonly inputShape: readonly number[],
    rng: Rng,
  ) {
    const g = geometry(config, inputShape);
    const { filters: f, kernel: k, stride: s } = config;
    this.#g = g;
    this.#cin = inputShape[0];
    this.outputShape = [f, g.height, g.width];
    this.#w = makeParam('W', [this.#cin, f, k, k], true);
    // Each output pixel sums about inChannels * (k / stride)^2 inputs.
    initWeights(this.#w.value, config.init, Math.max(1, (this.#cin * k * k) / (s * s)), f * k * k, rng);
    this.#b = config.useBias ? makeParam('b', [f], false) : null;
    if (this.#b) initConstant(this.#b.value, config.biasInit);
    this.#col = new Float32Array(colRows(g) * colCols(g));
  }

  forward(x: Tensor, ctx: ForwardContext): { y: Tensor; cache: Tensor } {
    const n = batchOf(TYPE, x, this.inputShape);
    const y = f32Of(ctx.arena, n * imageSize(this.#g), false); // overwritten
    convTranspose2dForward(x.data, n, this.#cin, this.#g, this.#w.value, this.#b?.value ?? null, y, this.#col);
    return { y: tensor([n, ...this.outputShape], y), cache: x };
  }

  backward(x: Tensor, dy: Tensor, _needInput?: boolean, arena?: Arena): Tensor {
    const dx = f32Of(arena, x.data.length, false); // overwritten
    convTranspose2dBackward(x.data, dy.data, x.shape[0], this.#cin, this.#g, this.#w.value, dx, this.#w.grad, this.#b?.grad ?? null, this.#col);
    return tensor(x.shape, dx);
  }

  params(): Param[] {
    return this.#b ? [this.#w, this.#b] : [this.#w];
  }

  buffers(): Buffer[] {
    return [];
  }
}

registerLayer<ConvTranspose2dConfig>({
  type: TYPE,
  defaults: Object.freeze({ filters: 8, kernel: 3, stride: 2, padding: 'same', outputPadding: 0, useBias: true, init: 'he', biasInit: 0 }),
  validate(c, inputShape) {
    positiveInt(TYPE, 'filters', c.filters);
    positiveInt(TYPE, 'kernel', c.kernel);
    positiveInt(TYPE, 'stride', c.stride);
    nonNegativeInt(TYPE, 'outputPadding', c.outputPadding);
    oneOf(TYPE, 'padding', c.padding, PADDINGS);
    validInit(TYPE, 'init', c.init);
    rank(TYPE, inputShape, [3]);
    try {
      geometry(c, inputShape);
    } catch (e) {
      throw new Error(`layer "${TYPE}": ${(e as Error).message}`);
    }
  },
  create: (c, inputShape, rng) => new ConvTranspose2d(c, inputShape, rng),
});
