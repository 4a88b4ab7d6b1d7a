/**
 * Small stand-in layers for the model-file tests, registered under names no real layer uses. They keep
 * the layer contract (params with decay flags, a running-statistics buffer, a composite with children)
 * so the file format is tested independently of engine/layers.
 */
import type { Rng } from '../core/rng.js';
import { sizeOf, tensor, type Tensor } from '../core/tensor.js';
import { buildLayer, layerTypes, registerLayer, type Buffer, type Layer, type Param } from '../layers/layer.js';

interface AffineConfig { units: number }
interface ShiftConfig { momentum: number }
interface PairConfig { units: number }

function param(name: string, shape: number[], decay: boolean): Param {
  const n = sizeOf(shape);
  return { name, shape, value: new Float32Array(n), grad: new Float32Array(n), decay };
}

/** y = W x + b over the flattened sample. */
class Affine implements Layer<AffineConfig, Tensor> {
  readonly type = 'testAffine';
  readonly outputShape: number[];
  readonly w: Param;
  readonly b: Param;
  constructor(readonly config: AffineConfig, readonly inputShape: readonly number[], rng: Rng) {
    const n = sizeOf(inputShape);
    this.outputShape = [config.units];
    this.w = param('weight', [config.units, n], true);
    this.b = param('bias', [config.units], false);
    for (let i = 0; i < this.w.value.length; i++) this.w.value[i] = rng.normal() * 0.5;
  }
  forward(x: Tensor) {
    const B = x.shape[0], n = this.w.shape[1], u = this.config.units;
    const y = new Float32Array(B * u);
    for (let s = 0; s < B; s++)
      for (let o = 0; o < u; o++) {
        let a = this.b.value[o];
        for (let i = 0; i < n; i++) a += this.w.value[o * n + i] * x.data[s * n + i];
        y[s * u + o] = a;
      }
    return { y: tensor([B, u], y), cache: x };
  }
  backward(x: Tensor, dy: Tensor): Tensor {
    const B = x.shape[0], n = this.w.shape[1], u = this.config.units;
    const dx = new Float32Array(B * n);
    for (let s = 0; s < B; s++)
      for (let o = 0; o < u; o++) {
        const g = dy.data[s * u + o];
        this.b.grad[o] += g;
        for (let i = 0; i < n; i++) {
          this.w.grad[o * n + i] += g * x.data[s * n + i];
          dx[s * n + i] += g * this.w.value[o * n + i];
        }
      }
    return tensor(x.shape, dx);
  }
  params() { return [this.w, this.b]; }
  buffers() { return []; }
}

/** y = gamma * (x - runningMean); training moves runningMean toward the batch mean (like BatchNorm). */
class Shift implements Layer<ShiftConfig, Tensor> {
  readonly type = 'testShift';
  readonly outputShape: readonly number[];
  readonly gamma: Param;
  readonly mean: Buffer;
  constructor(readonly config: ShiftConfig, readonly inputShape: readonly number[]) {
    this.outputShape = inputShape;
    const n = sizeOf(inputShape);
    this.gamma = param('gamma', [n], false);
    this.gamma.value.fill(1);
    this.mean = { name: 'runningMean', shape: [n], value: new Float32Array(n) };
  }
  forward(x: Tensor, ctx: { training: boolean }) {
    const B = x.shape[0], n = this.mean.value.length, m = this.config.momentum;
    if (ctx.training) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let b = 0; b < B; b++) s += x.data[b * n + i];
        this.mean.value[i] = m * this.mean.value[i] + (1 - m) * (s / B);
      }
    }
    const y = new Float32Array(x.data.length);
    for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) y[b * n + i] = this.gamma.value[i] * (x.data[b * n + i] - this.mean.value[i]);
    return { y: tensor(x.shape, y), cache: x };
  }
  backward(x: Tensor, dy: Tensor): Tensor {
    const B = x.shape[0], n = this.mean.value.length;
    const dx = new Float32Array(x.data.length);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < n; i++) {
        this.gamma.grad[i] += dy.data[b * n + i] * (x.data[b * n + i] - this.mean.value[i]);
        dx[b * n + i] = dy.data[b * n + i] * this.gamma.value[i];
      }
    return tensor(x.shape, dx);
  }
  params() { return [this.gamma]; }
  buffers() { return [this.mean]; }
}

/** Two affine layers in a row, as children (a composite layer, like a residual block). */
class Pair implements Layer<PairConfig, unknown[]> {
  readonly type = 'testPair';
  readonly outputShape: readonly number[];
  readonly inner: Layer[];
  constructor(readonly config: PairConfig, readonly inputShape: readonly number[], rng: Rng) {
    const a = buildLayer({ type: 'testAffine', units: config.units }, inputShape, rng);
    const b = buildLayer({ type: 'testAffine', units: config.units }, a.outputShape, rng);
    this.inner = [a, b];
    this.outputShape = b.outputShape;
  }
  forward(x: Tensor, ctx: { training: boolean; rng: Rng }) {
    const r1 = this.inner[0].forward(x, ctx);
    const r2 = this.inner[1].forward(r1.y, ctx);
    return { y: r2.y, cache: [r1.cache, r2.cache] };
  }
  backward(cache: unknown[], dy: Tensor): Tensor {
    return this.inner[0].backward(cache[0], this.inner[1].backward(cache[1], dy));
  }
  params() { return []; }
  buffers() { return []; }
  children() { return this.inner; }
}

if (!layerTypes().includes('testAffine')) {
  registerLayer<AffineConfig>({
    type: 'testAffine',
    defaults: Object.freeze({ units: 4 }),
    validate: (c) => {
      if (!Number.isInteger(c.units) || c.units < 1) throw new Error('testAffine: units must be a positive integer');
    },
    create: (c, shape, rng) => new Affine(c, shape, rng),
  });
  registerLayer<ShiftConfig>({ type: 'testShift', defaults: Object.freeze({ momentum: 0.9 }), create: (c, shape) => new Shift(c, shape) });
  registerLayer<PairConfig>({ type: 'testPair', defaults: Object.freeze({ units: 3 }), create: (c, shape, rng) => new Pair(c, shape, rng) });
}
