/**
 * dense: y = x W + b for flat inputs. x [batch, in], W [in, units], b [units].
 * Config: units, useBias, init (weights), biasInit (a constant, e.g. 0.01 for ReLU units).
 */
import type { Rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { addRowBias, sumRowsInto } from '../kernels/bias.js';
import { gemm } from '../kernels/gemm.js';
import { batchOf, positiveInt, rank, validInit } from './checks.js';
import { initConstant, initWeights, type InitName } from './init.js';
import { registerLayer, type Buffer, type ForwardContext, type Layer, type Param } from './layer.js';
import { makeParam } from './param.js';
import { f32Of, type Arena } from '../core/arena.js';

export interface DenseConfig {
  units: number;
  useBias: boolean;
  init: InitName;
  biasInit: number;
}

const TYPE = 'dense';

class Dense implements Layer<DenseConfig, Tensor> {
  readonly type = TYPE;
  readonly outputShape: readonly number[];
  readonly #w: Param;
  readonly #b: Param | null;
  readonly #in: number;

  constructor(
    readonly config: Readonly<DenseConfig>,
    readonly inputShape: readonly number[],
    rng: Rng,
  ) {
    this.#in = inputShape[0];
    const u = config.units;
    this.outputShape = [u];
    this.#w = makeParam('W', [this.#in, u], true);
    initWeights(this.#w.value, config.init, this.#in, u, rng);
    this.#b = config.useBias ? makeParam('b', [u], false) : null;
    if (this.#b) initConstant(this.#b.value, config.biasInit);
  }

  forward(x: Tensor, ctx: ForwardContext): { y: Tensor; cache: Tensor } {
    const n = batchOf(TYPE, x, this.inputShape);
    const u = this.config.units;
    const y = f32Of(ctx.arena, n * u, false); // overwritten (beta = 0)
    gemm(false, false, n, u, this.#in, 1, x.data, 0, this.#w.value, 0, 0, y, 0);
    if (this.#b) addRowBias(y, n, u, this.#b.value);
    return { y: tensor([n, u], y), cache: x };
  }

  /** backward's paramGrads === 'set' writes the grads (the weight gradient's GEMM with beta = 0). */
  readonly setsGrads = true;

  backward(x: Tensor, dy: Tensor, needInput = true, arena?: Arena, paramGrads: boolean | 'set' = true): Tensor {
    const n = x.shape[0];
    const u = this.config.units;
    if (paramGrads) {
      const set = paramGrads === 'set';
      gemm(true, false, this.#in, u, n, 1, x.data, 0, dy.data, 0, set ? 0 : 1, this.#w.grad, 0);
      if (this.#b) {
        if (set) this.#b.grad.fill(0);
        sumRowsInto(dy.data, n, u, this.#b.grad);
      }
    }
    if (!needInput) return tensor([0], new Float32Array(0));
    const dx = f32Of(arena, n * this.#in, false); // overwritten (beta = 0)
    gemm(false, true, n, this.#in, u, 1, dy.data, 0, this.#w.value, 0, 0, dx, 0);
    return tensor(x.shape, dx);
  }

  params(): Param[] {
    return this.#b ? [this.#w, this.#b] : [this.#w];
  }

  buffers(): Buffer[] {
    return [];
  }
}

registerLayer<DenseConfig>({
  type: TYPE,
  defaults: Object.freeze({ units: 10, useBias: true, init: 'he', biasInit: 0 }),
  validate(c, inputShape) {
    positiveInt(TYPE, 'units', c.units);
    validInit(TYPE, 'init', c.init);
    rank(TYPE, inputShape, [1], 'add a flatten layer before dense');
  },
  create: (c, inputShape, rng) => new Dense(c, inputShape, rng),
});
