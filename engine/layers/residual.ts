/**
 * residual: a skip connection, y = body(x) + shortcut(x). `body` is a chain of layer specs; `shortcut`
 * is the identity when empty, or a chain (e.g. a 1x1 conv with stride) projecting x to the body's
 * output shape when they differ. Put the activation after the sum as a following layer.
 * The body and shortcut layers are children(); residual itself has no params.
 */
import type { Rng } from '../core/rng.js';
import { shapeEq, shapeStr, tensor, type Tensor } from '../core/tensor.js';
import { f32Of, type Arena } from '../core/arena.js';
import { backwardChain, forwardChain } from './chain.js';
import { batchOf } from './checks.js';
import { buildChain, registerLayer, specOf, type Buffer, type ForwardContext, type Layer, type LayerSpec, type Param } from './layer.js';

export interface ResidualConfig {
  body: LayerSpec[];
  shortcut: LayerSpec[];
}

const TYPE = 'residual';

interface ResidualCache {
  body: unknown[];
  shortcut: unknown[];
}

class Residual implements Layer<ResidualConfig, ResidualCache> {
  readonly type = TYPE;
  readonly config: Readonly<ResidualConfig>;
  readonly outputShape: readonly number[];
  readonly #body: Layer[];
  readonly #shortcut: Layer[];

  constructor(
    config: ResidualConfig,
    readonly inputShape: readonly number[],
    rng: Rng,
  ) {
    const body = buildChain(config.body, inputShape, rng);
    const sc = buildChain(config.shortcut, inputShape, rng);
    if (!shapeEq(body.outputShape, sc.outputShape)) {
      const what = config.shortcut.length ? 'the shortcut output' : 'the input (identity shortcut)';
      throw new Error(
        `layer "${TYPE}": body output ${shapeStr(body.outputShape)} differs from ${what} ${shapeStr(sc.outputShape)}; ` +
          'add a shortcut projection (e.g. a 1x1 conv2d with the same stride and filters)',
      );
    }
    this.#body = body.layers;
    this.#shortcut = sc.layers;
    this.outputShape = body.outputShape;
    this.config = { body: body.layers.map(specOf), shortcut: sc.layers.map(specOf) };
  }

  forward(x: Tensor, ctx: ForwardContext): { y: Tensor; cache: ResidualCache } {
    batchOf(TYPE, x, this.inputShape);
    const b = forwardChain(this.#body, x, ctx);
    const s = forwardChain(this.#shortcut, x, ctx);
    const y = f32Of(ctx.arena, b.y.data.length);
    y.set(b.y.data);
    const sd = s.y.data;
    for (let i = 0; i < y.length; i++) y[i] += sd[i];
    return { y: tensor(b.y.shape, y), cache: { body: b.caches, shortcut: s.caches } };
  }

  backward(cache: ResidualCache, dy: Tensor, _needInput?: boolean, arena?: Arena): Tensor {
    const db = backwardChain(this.#body, cache.body, dy, arena);
    const ds = backwardChain(this.#shortcut, cache.shortcut, dy, arena);
    const dx = f32Of(arena, db.data.length);
    dx.set(db.data);
    const sd = ds.data;
    for (let i = 0; i < dx.length; i++) dx[i] += sd[i];
    return tensor(db.shape, dx);
  }

  params(): Param[] {
    return [];
  }

  buffers(): Buffer[] {
    return [];
  }

  children(): Layer[] {
    return [...this.#body, ...this.#shortcut];
  }
}

registerLayer<ResidualConfig>({
  type: TYPE,
  defaults: Object.freeze({ body: [] as LayerSpec[], shortcut: [] as LayerSpec[] }),
  validate(c) {
    if (c.body.length === 0) throw new Error(`layer "${TYPE}": body must list at least one layer`);
  },
  create: (c, inputShape, rng) => new Residual(c, inputShape, rng),
});
