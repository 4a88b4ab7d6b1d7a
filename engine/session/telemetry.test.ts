import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import '../layers/index.js';
import type { LayerSpec } from '../layers/layer.js';
import { softmaxCrossEntropy } from '../losses/index.js';
import { Sequential } from '../models/sequential.js';
import { paramGroups } from './layer-groups.js';
import { activationStats, batchNormStats, featureMaps, firstLayerFilters, forwardTraced, gradNorms, snapshotWeights, updateRatios } from './telemetry.js';

/** Gradient norms per dense layer of a deep MLP after one backward pass on random data. */
function deepGradNorms(activation: string, init: string, depth = 10): number[] {
  const layers: LayerSpec[] = [];
  for (let i = 0; i < depth; i++) layers.push({ type: 'dense', units: 32, init }, { type: activation });
  layers.push({ type: 'dense', units: 10, init: 'glorot' });
  const model = new Sequential({ input: [64], layers }, new Rng(1));
  const rng = new Rng(2);
  const x = tensor([32, 64], Float32Array.from({ length: 32 * 64 }, () => rng.normal()));
  const labels = Int32Array.from({ length: 32 }, () => rng.int(10));
  const { y, caches } = model.forward(x, { training: true, rng });
  model.zeroGrads();
  model.backward(caches, softmaxCrossEntropy(y, labels).grad);
  return gradNorms(paramGroups(model));
}

describe('telemetry', () => {
  it('a deep sigmoid MLP shows vanishing gradients; ReLU with He init does not', () => {
    const sig = deepGradNorms('sigmoid', 'glorot');
    const relu = deepGradNorms('relu', 'he');
    const ratio = (g: number[]) => g[0] / g[g.length - 1];
    // sigmoid' <= 1/4 at every layer: the first layer's gradient is orders of magnitude below the last's.
    assert.ok(ratio(sig) < 1e-3, `sigmoid first/last ${ratio(sig).toExponential(2)}`);
    assert.ok(ratio(relu) > 0.1, `relu first/last ${ratio(relu).toExponential(2)}`);
    // and it shrinks layer after layer.
    for (let i = 1; i < sig.length - 1; i++) assert.ok(sig[i - 1] < sig[i], `sigmoid layer ${i} vs ${i + 1}`);
  });

  it('activation statistics: mean, std, dead ReLU units and saturated sigmoids, by hand', () => {
    // 2 samples x 3 units: unit 0 never positive (dead), units 1 and 2 active once.
    const y = tensor([2, 3], [0, 1, 0, 0, 0, 3]);
    const s = activationStats('2 relu', 'relu', y);
    assert.equal(s.mean, 4 / 6);
    assert.ok(Math.abs(s.std - Math.sqrt(10 / 6 - (4 / 6) ** 2)) < 1e-12);
    assert.equal(s.dead, 1 / 3);
    assert.equal(s.saturated, null);
    const g = activationStats('2 sigmoid', 'sigmoid', tensor([1, 4], [0.001, 0.5, 0.995, 0.3]));
    assert.equal(g.saturated, 0.5);
    assert.equal(g.dead, null);
  });

  it('update ratio is |dw| / |w| per layer', () => {
    const model = new Sequential({ input: [2], layers: [{ type: 'dense', units: 1, useBias: false }] }, new Rng(1));
    const groups = paramGroups(model);
    const w = model.params()[0].value;
    w.set([3, 4]);
    const before = snapshotWeights(groups);
    w.set([3, 4.05]); // |dw| = 0.05
    const expected = 0.05 / Math.hypot(3, 4.05);
    assert.ok(Math.abs(updateRatios(groups, before)[0] - expected) < 1e-6);
  });

  it('BatchNorm batch statistics beside the running ones, found inside residual blocks too', () => {
    const model = new Sequential(
      {
        input: [2, 4, 4],
        layers: [
          { type: 'batchNorm', momentum: 0.5 },
          { type: 'residual', body: [{ type: 'conv2d', filters: 2 }, { type: 'batchNorm' }] },
        ],
      },
      new Rng(1),
    );
    const x = tensor([2, 2, 4, 4], Float32Array.from({ length: 64 }, (_, i) => (i < 32 ? i % 16 : 5)));
    forwardTraced(model, x, { training: true, rng: new Rng(0) });
    const bn = batchNormStats(model);
    assert.deepEqual(
      bn.map((b) => b.name),
      ['1', '2.2'],
    );
    // channel 0 holds 0..15 in sample 0 and 5s in sample 1: mean (7.5 * 16 + 5 * 16) / 32 = 6.25.
    assert.ok(Math.abs(bn[0].batchMean[0] - 6.25) < 1e-5);
    assert.ok(Math.abs(bn[0].runningMean[0] - 0.5 * 6.25) < 1e-5, 'running mean moved halfway (momentum 0.5)');
  });

  it('first-layer filters: conv kernels, or dense units drawn in the input shape', () => {
    const conv = new Sequential({ input: [3, 6, 6], layers: [{ type: 'conv2d', filters: 4, kernel: 3 }] }, new Rng(1));
    const f = firstLayerFilters(conv)!;
    assert.deepEqual([f.count, f.channels, f.height, f.width], [4, 3, 3, 3]);
    assert.deepEqual(f.data, conv.params()[0].value);
    const mlp = new Sequential({ input: [1, 2, 3], layers: [{ type: 'flatten' }, { type: 'dense', units: 2 }] }, new Rng(1));
    const d = firstLayerFilters(mlp)!;
    const w = mlp.params()[0].value; // [6, 2]
    assert.deepEqual([d.count, d.channels, d.height, d.width], [2, 1, 2, 3]);
    assert.equal(d.data[6 + 4], w[4 * 2 + 1], 'unit 1, input 4');
  });

  it('feature maps of one image at every image-shaped layer, or at a chosen one', () => {
    const model = new Sequential(
      { input: [1, 4, 4], layers: [{ type: 'conv2d', filters: 3 }, { type: 'relu' }, { type: 'maxPool2d' }, { type: 'flatten' }, { type: 'dense', units: 2 }] },
      new Rng(1),
    );
    const x = tensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i / 16));
    const all = featureMaps(model, x);
    assert.deepEqual(
      all.map((m) => `${m.layer} ${m.maps.count}x${m.maps.height}x${m.maps.width}`),
      ['1 conv2d 3x4x4', '2 relu 3x4x4', '3 maxPool2d 3x2x2'],
    );
    const relu = featureMaps(model, x, 1);
    assert.equal(relu.length, 1);
    assert.ok(relu[0].maps.data.every((v) => v >= 0));
    assert.throws(() => featureMaps(model, tensor([2, 1, 4, 4])), /one image/);
  });
});
