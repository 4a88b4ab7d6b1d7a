/**
 * gate: a gating unit (as in highway networks), y = g * a(x) + (1 - g) * b(x) with g = sigmoid(z(x)).
 *  - `a`: chain of layer specs, the transform path;
 *  - `b`: chain of layer specs, the carry path, the identity when empty (then a must keep x's shape);
 *  - `gate`: optional hidden layers of the gate path, which always ends in a projection to a's output
 *    shape built by the gate itself: a 1x1 conv2d for image outputs, a dense (plus reshape if needed)
 *    for flat ones, with bias `gateBias` (default -2, so g starts near 0.12 and the unit first mostly
 *    carries b, the highway initialization).
 * Sub-layers are children() in the order a, b, gate path; the gate itself has no params.
 */
import type { Rng } from '../core/rng.js';
import { shapeEq, shapeStr, sizeOf, tensor, type Tensor } from '../core/tensor.js';
import { sigmoid } from '../kernels/activation.js';
import { backwardChain, forwardChain } from './chain.js';
import { batchOf } from './checks.js';
import { buildChain, registerLayer, specOf, type Buffer, type ForwardContext, type Layer, type LayerSpec, type Param } from './layer.js';

export interface GateConfig {
  a: LayerSpec[];
  b: LayerSpec[];
  gate: LayerSpec[];
  gateBias: number;
}

const TYPE = 'gate';

interface GateCache {
  a: unknown[];
  b: unknown[];
  gate: unknown[];
  av: Float32Array;
  bv: Float32Array;
  g: Float32Array;
}

/** The layers that map the gate path's output to the shape of a's output. */
function projection(from: readonly number[], to: readonly number[], bias: number): LayerSpec[] {
  if (from.length === 3 && to.length === 3) {
    return [{ type: 'conv2d', filters: to[0], kernel: 1, padding: 'same', init: 'glorot', biasInit: bias }];
  }
  if (from.length === 1) {
    const dense: LayerSpec = { type: 'dense', units: sizeOf(to), init: 'glorot', biasInit: bias };
    return to.length === 1 ? [dense] : [dense, { type: 'reshape', shape: [...to] }];
  }
  throw new Error(`layer "${TYPE}": the gate path ends in ${shapeStr(from)} but a gives ${shapeStr(to)}; add a flatten to the gate path`);
}

class Gate implements Layer<GateConfig, GateCache> {
  readonly type = TYPE;
  readonly config: Readonly<GateConfig>;
  readonly outputShape: readonly number[];
  readonly #a: Layer[];
  readonly #b: Layer[];
  readonly #gate: Layer[];

  constructor(
    config: GateConfig,
    readonly inputShape: readonly number[],
    rng: Rng,
  ) {
    const a = buildChain(config.a, inputShape, rng);
    const b = buildChain(config.b, inputShape, rng);
    if (!shapeEq(a.outputShape, b.outputShape)) {
      const what = config.b.length ? 'b output' : 'the input (identity b)';
      throw new Error(`layer "${TYPE}": a output ${shapeStr(a.outputShape)} differs from ${what} ${shapeStr(b.outputShape)}`);
    }
    const hidden = buildChain(config.gate, inputShape, rng);
    const proj = buildChain(projection(hidden.outputShape, a.outputShape, config.gateBias), hidden.outputShape, rng);
    if (!shapeEq(proj.outputShape, a.outputShape)) {
      throw new Error(
        `layer "${TYPE}": the gate path gives ${shapeStr(proj.outputShape)} but a gives ${shapeStr(a.outputShape)}; ` +
          'make the gate path reach the same height and width (e.g. the same strides as a)',
      );
    }
    this.#a = a.layers;
    this.#b = b.layers;
    this.#gate = [...hidden.layers, ...proj.layers];
    this.outputShape = a.outputShape;
    this.config = { a: a.layers.map(specOf), b: b.layers.map(specOf), gate: hidden.layers.map(specOf), gateBias: config.gateBias };
  }

  forward(x: Tensor, ctx: ForwardContext): { y: Tensor; cache: GateCache } {
    batchOf(TYPE, x, this.inputShape);
    const a = forwardChain(this.#a, x, ctx);
    const b = forwardChain(this.#b, x, ctx);
    const z = forwardChain(this.#gate, x, ctx);
    const av = a.y.data;
    const bv = b.y.data;
    const zv = z.y.data;
    const g = new Float32Array(av.length);
    const y = new Float32Array(av.length);
    for (let i = 0; i < y.length; i++) {
      const gi = sigmoid(zv[i]);
      g[i] = gi;
      y[i] = bv[i] + gi * (av[i] - bv[i]);
    }
    return { y: tensor(a.y.shape, y), cache: { a: a.caches, b: b.caches, gate: z.caches, av, bv, g } };
  }

  backward(cache: GateCache, dy: Tensor): Tensor {
    const { av, bv, g } = cache;
    const d = dy.data;
    const da = new Float32Array(d.length);
    const db = new Float32Array(d.length);
    const dz = new Float32Array(d.length);
    for (let i = 0; i < d.length; i++) {
      const gi = g[i];
      da[i] = d[i] * gi;
      db[i] = d[i] * (1 - gi);
      dz[i] = d[i] * (av[i] - bv[i]) * gi * (1 - gi);
    }
    const shape = dy.shape;
    const dxa = backwardChain(this.#a, cache.a, tensor(shape, da));
    const dxb = backwardChain(this.#b, cache.b, tensor(shape, db));
    const dxz = backwardChain(this.#gate, cache.gate, tensor(shape, dz));
    const dx = new Float32Array(dxa.data);
    for (let i = 0; i < dx.length; i++) dx[i] += dxb.data[i] + dxz.data[i];
    return tensor(dxa.shape, dx);
  }

  params(): Param[] {
    return [];
  }

  buffers(): Buffer[] {
    return [];
  }

  children(): Layer[] {
    return [...this.#a, ...this.#b, ...this.#gate];
  }
}

registerLayer<GateConfig>({
  type: TYPE,
  defaults: Object.freeze({ a: [] as LayerSpec[], b: [] as LayerSpec[], gate: [] as LayerSpec[], gateBias: -2 }),
  validate(c) {
    if (c.a.length === 0) throw new Error(`layer "${TYPE}": a must list at least one layer`);
  },
  create: (c, inputShape, rng) => new Gate(c, inputShape, rng),
});
