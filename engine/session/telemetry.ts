/**
 * What a training run shows about its insides, computed only when asked (every N steps, at the end of an
 * epoch, or on demand) so an ordinary step pays nothing:
 *  - per parametrized layer: the gradient norm, the weight norm and the update/weight ratio
 *    ‖Δw‖ / ‖w‖ of the step just taken (vanishing gradients: tiny norms in the first layers; exploding:
 *    huge ones; a healthy update ratio is around 1e-3);
 *  - per top-level layer output: mean, standard deviation, and for ReLU layers the fraction of dead units
 *    (never positive over the batch), for sigmoid/tanh the fraction of saturated values;
 *  - per BatchNorm layer: the last batch's mean and variance beside the running statistics;
 *  - the first layer's filters as images and the feature maps one image makes.
 * Every result is a plain object of numbers, strings and Float32Arrays (structured-clone and JSON-able
 * once the arrays are converted), so it crosses process boundaries unchanged.
 */
import { Rng } from '../core/rng.js';
import { sizeOf, type Tensor } from '../core/tensor.js';
import { BatchNormLayer } from '../layers/batchNorm.js';
import type { ForwardContext, Layer } from '../layers/layer.js';
import type { Sequential } from '../models/sequential.js';
import { layerName, walkLayers, type LayerGroup } from './layer-groups.js';

export interface ActivationStats {
  name: string;
  mean: number;
  std: number;
  /** ReLU-like layers: fraction of units (per-sample positions) that were never positive in the batch. */
  dead: number | null;
  /** sigmoid/tanh layers: fraction of values within 1% of the bounds. */
  saturated: number | null;
}

export interface BatchNormStats {
  /** Path of the layer ("3" or "5.2" inside a residual block). */
  name: string;
  batchMean: Float32Array;
  batchVar: Float32Array;
  runningMean: Float32Array;
  runningVar: Float32Array;
}

export interface LayerTelemetry {
  type: 'telemetry';
  epoch: number;
  /** Optimizer steps taken in this run, this one included. */
  step: number;
  /** Parametrized top-level layers ("2 conv2d"); the three arrays below follow this order. */
  layers: string[];
  gradNorm: number[];
  weightNorm: number[];
  /** ‖Δw‖ / ‖w‖ of this step's update per layer (0 when the weights are all zero). */
  updateRatio: number[];
  activations: ActivationStats[];
  batchNorm: BatchNormStats[];
}

/** Planar float images: count × channels × height × width values. */
export interface FloatImages {
  count: number;
  channels: number;
  height: number;
  width: number;
  data: Float32Array;
}

/** Forward like model.forward, also keeping every top-level layer's output. */
export function forwardTraced(model: Sequential, x: Tensor, ctx: ForwardContext): { y: Tensor; caches: unknown[]; outputs: Tensor[] } {
  const caches: unknown[] = new Array(model.layers.length);
  const outputs: Tensor[] = new Array(model.layers.length);
  let h = x;
  for (let i = 0; i < model.layers.length; i++) {
    const r = model.layers[i].forward(h, ctx);
    caches[i] = r.cache;
    outputs[i] = r.y;
    h = r.y;
  }
  return { y: h, caches, outputs };
}

function sumSquares(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/** L2 norm of each group's gradients. */
export function gradNorms(groups: readonly LayerGroup[]): number[] {
  return groups.map((g) => Math.sqrt(g.params.reduce((s, p) => s + sumSquares(p.grad), 0)));
}

export function weightNorms(groups: readonly LayerGroup[]): number[] {
  return groups.map((g) => Math.sqrt(g.params.reduce((s, p) => s + sumSquares(p.value), 0)));
}

/** Copies of every group's weights, to measure the update a step makes. */
export function snapshotWeights(groups: readonly LayerGroup[]): Float32Array[][] {
  return groups.map((g) => g.params.map((p) => new Float32Array(p.value)));
}

/** ‖w_now − w_before‖ / ‖w_now‖ per group. */
export function updateRatios(groups: readonly LayerGroup[], before: readonly Float32Array[][]): number[] {
  return groups.map((g, gi) => {
    let d2 = 0;
    let w2 = 0;
    g.params.forEach((p, pi) => {
      const b = before[gi][pi];
      const v = p.value;
      for (let i = 0; i < v.length; i++) {
        const d = v[i] - b[i];
        d2 += d * d;
        w2 += v[i] * v[i];
      }
    });
    return w2 > 0 ? Math.sqrt(d2 / w2) : 0;
  });
}

const RELU_LIKE = new Set(['relu', 'leakyRelu']);

/** Statistics of one layer's output over a batch [n, ...perSample]. */
export function activationStats(name: string, type: string, y: Tensor): ActivationStats {
  const d = y.data;
  const n = y.shape[0];
  const per = n > 0 ? d.length / n : 0;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < d.length; i++) {
    s += d[i];
    s2 += d[i] * d[i];
  }
  const mean = d.length ? s / d.length : 0;
  const std = d.length ? Math.sqrt(Math.max(0, s2 / d.length - mean * mean)) : 0;
  let dead: number | null = null;
  let saturated: number | null = null;
  if (RELU_LIKE.has(type) && per > 0) {
    let count = 0;
    for (let j = 0; j < per; j++) {
      let alive = false;
      for (let i = 0; i < n && !alive; i++) alive = d[i * per + j] > 0;
      if (!alive) count++;
    }
    dead = count / per;
  } else if ((type === 'sigmoid' || type === 'tanh') && d.length > 0) {
    const lo = type === 'sigmoid' ? 0.01 : -0.99;
    const hi = 0.99;
    let count = 0;
    for (let i = 0; i < d.length; i++) if (d[i] <= lo || d[i] >= hi) count++;
    saturated = count / d.length;
  }
  return { name, mean, std, dead, saturated };
}

/** BatchNorm layers anywhere in the model, with their last batch and running statistics (copies). */
export function batchNormStats(model: Sequential): BatchNormStats[] {
  const out: BatchNormStats[] = [];
  walkLayers(model.layers, (l, path) => {
    if (!(l instanceof BatchNormLayer)) return;
    const [runningMean, runningVar] = l.buffers();
    out.push({
      name: path,
      batchMean: new Float32Array(l.batchMean),
      batchVar: new Float32Array(l.batchVar),
      runningMean: new Float32Array(runningMean.value),
      runningVar: new Float32Array(runningVar.value),
    });
  });
  return out;
}

/**
 * The telemetry of a step: call after the optimizer step with the grads still in place, the weights
 * from before the step and the traced outputs of the forward pass.
 */
export function stepTelemetry(
  model: Sequential,
  groups: readonly LayerGroup[],
  before: readonly Float32Array[][],
  outputs: readonly Tensor[],
  epoch: number,
  step: number,
): LayerTelemetry {
  return {
    type: 'telemetry',
    epoch,
    step,
    layers: groups.map((g) => g.name),
    gradNorm: gradNorms(groups),
    weightNorm: weightNorms(groups),
    updateRatio: updateRatios(groups, before),
    activations: model.layers.map((l, i) => activationStats(layerName(i, l), l.type, outputs[i])),
    batchNorm: batchNormStats(model),
  };
}

/** At most this many filters, units or maps are returned. */
export const MAX_IMAGES = 64;

/**
 * The first layer's weights as images: the first conv2d's kernels [filters, channels, k, k], or when the
 * model starts with dense units on the raw input, each unit's weights drawn in the input's shape.
 */
export function firstLayerFilters(model: Sequential, max = MAX_IMAGES): FloatImages | null {
  let first: Layer | null = null;
  walkLayers(model.layers, (l) => {
    if (!first && l.params().length > 0) first = l;
  });
  const layer = first as Layer | null;
  if (!layer) return null;
  const w = layer.params()[0];
  if (layer.type === 'conv2d') {
    const [f, c, k1, k2] = w.shape;
    const n = Math.min(f, max);
    return { count: n, channels: c, height: k1, width: k2, data: w.value.slice(0, n * c * k1 * k2) };
  }
  const input = model.inputShape;
  if (layer.type === 'dense' && input.length === 3 && w.shape[0] === sizeOf(input)) {
    // W is [in, units]: unit j's weights are column j.
    const [inN, units] = w.shape;
    const n = Math.min(units, max);
    const data = new Float32Array(n * inN);
    for (let j = 0; j < n; j++) for (let i = 0; i < inN; i++) data[j * inN + i] = w.value[i * units + j];
    return { count: n, channels: input[0], height: input[1], width: input[2], data };
  }
  return null;
}

export interface FeatureMaps {
  /** "2 relu" */
  layer: string;
  maps: FloatImages;
}

/**
 * The feature maps one normalized image [1, C, H, W] makes at every top-level layer with an image
 * output (or only at `layerIndex`), at most `max` channels each, in inference mode.
 */
export function featureMaps(model: Sequential, x: Tensor, layerIndex?: number, max = MAX_IMAGES): FeatureMaps[] {
  if (x.shape[0] !== 1) throw new Error(`featureMaps: give one image (batch 1), got a batch of ${x.shape[0]}`);
  if (layerIndex !== undefined && !(layerIndex >= 0 && layerIndex < model.layers.length)) {
    throw new Error(`featureMaps: layer ${layerIndex + 1} does not exist (the model has ${model.layers.length})`);
  }
  const { outputs } = forwardTraced(model, x, { training: false, rng: new Rng(0) });
  const out: FeatureMaps[] = [];
  outputs.forEach((y, i) => {
    if (y.shape.length !== 4 || (layerIndex !== undefined && i !== layerIndex)) return;
    const [, c, h, w] = y.shape;
    const n = Math.min(c, max);
    out.push({ layer: layerName(i, model.layers[i]), maps: { count: n, channels: 1, height: h, width: w, data: y.data.slice(0, n * h * w) } });
  });
  return out;
}
