import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import '../layers/index.js';
import type { LayerSpec } from '../layers/layer.js';
import { softmaxCrossEntropy } from '../losses/index.js';
import { createOptimizer } from '../optim/index.js';
import { classifierModel, PRESETS, presetSpec } from './presets.js';

const types = (ls: readonly LayerSpec[]): string[] => ls.map((l) => l.type);
const find = (ls: readonly LayerSpec[], type: string) => ls.filter((l) => l.type === type);

describe('presets', () => {
  for (const name of PRESETS.filter((p) => p !== 'custom')) {
    it(`${name} builds for 1x28x28 and 3x32x32 and ends in one logit per class`, () => {
      for (const input of [
        [1, 28, 28],
        [3, 32, 32],
      ]) {
        const m = classifierModel(name, input, 7, { batchNorm: name !== 'lenet5' }, new Rng(1));
        assert.deepEqual(m.outputShape, [7]);
        const y = m.predict(tensor([2, ...input]), new Rng(0));
        assert.deepEqual(y.shape, [2, 7]);
      }
    });
  }

  it('lenet5 and mlp keep their layer order', () => {
    assert.deepEqual(types(presetSpec('lenet5', [1, 28, 28], 10).layers), [
      'conv2d', 'relu', 'maxPool2d', 'conv2d', 'relu', 'maxPool2d', 'flatten', 'dense', 'relu', 'dense', 'relu', 'dense',
    ]);
    assert.equal(presetSpec('lenet5', [1, 28, 28], 10, { activation: 'tanh' }).layers[0].init, 'glorot');
    assert.deepEqual(types(presetSpec('mlp', [1, 28, 28], 10).layers), ['flatten', 'dense', 'relu', 'dense', 'relu', 'dense']);
  });

  it('vgg: conv-conv-pool blocks with doubling filters, batchNorm when asked', () => {
    const s = presetSpec('vgg', [1, 28, 28], 10, { depth: 2, batchNorm: true });
    assert.deepEqual(find(s.layers, 'conv2d').map((l) => l.filters), [16, 16, 32, 32]);
    assert.equal(find(s.layers, 'batchNorm').length, 4);
    assert.equal(find(s.layers, 'maxPool2d').length, 2);
    assert.equal(find(presetSpec('vgg', [1, 28, 28], 10).layers, 'batchNorm').length, 0);
  });

  it('resnet: identity shortcuts where shapes match, 1x1 projection with stride where they change', () => {
    const res = find(presetSpec('resnet', [1, 28, 28], 10, { depth: 2 }).layers, 'residual');
    assert.equal(res.length, 6);
    const shortcuts = res.map((r) => (r.shortcut as LayerSpec[]).map((l) => `${l.type}:${l.kernel}:${l.stride}:${l.filters}`));
    // stage 1 (16 -> 16) identity; stages 2 and 3 start with a projection.
    assert.deepEqual(shortcuts, [[], [], ['conv2d:1:2:32'], [], ['conv2d:1:2:64'], []]);
  });

  it('highway: gate blocks that start mostly carrying their input', () => {
    const gates = find(presetSpec('highway', [1, 28, 28], 10, { depth: 3 }).layers, 'gate');
    assert.equal(gates.length, 3);
    assert.ok(gates.every((g) => g.gateBias === -2 && (g.b as unknown[]).length === 0));
  });

  it('activation, init, bias and input dropout options reach every hidden layer', () => {
    const s = presetSpec('mlp', [1, 8, 8], 3, { activation: 'tanh', biasInit: 0.01, init: 'heUniform', inputDropout: 0.2, dropout: 0.5 });
    assert.deepEqual(s.layers[0], { type: 'dropout', rate: 0.2 });
    const dense = find(s.layers, 'dense');
    assert.deepEqual(dense.map((d) => d.init), ['heUniform', 'heUniform', 'glorot']);
    assert.deepEqual(dense.map((d) => d.biasInit), [0.01, 0.01, undefined]);
    assert.equal(find(s.layers, 'tanh').length, 2);
    assert.equal(find(s.layers, 'dropout').length, 3);
    assert.equal(find(presetSpec('mlp', [1, 8, 8], 3, { activation: 'sigmoid' }).layers, 'dense')[0].init, 'glorot');
    const leaky = find(presetSpec('vgg', [1, 8, 8], 3, { activation: 'leakyRelu' }).layers, 'leakyRelu');
    assert.equal(leaky.length, 5);
    const m = classifierModel('mlp', [1, 8, 8], 3, { biasInit: 0.01 }, new Rng(1));
    assert.ok(m.params()[1].value.every((b) => Math.abs(b - 0.01) < 1e-9), 'hidden biases start at 0.01');
  });

  it('custom layer lists are used as given, and a wrong output size is refused with the fix', () => {
    const layers: LayerSpec[] = [{ type: 'flatten' }, { type: 'dense', units: 4 }];
    assert.deepEqual(classifierModel('custom', [1, 4, 4], 4, { layers }, new Rng(1)).spec().layers.length, 2);
    assert.throws(() => classifierModel('custom', [1, 4, 4], 3, { layers }, new Rng(1)), /dense layer of 3 units/);
    assert.throws(() => presetSpec('custom', [1, 4, 4], 3), /layer list/);
    assert.throws(() => presetSpec('vgg', [1, 4, 4], 3, { depth: 3 }), /at least 8x8/);
    assert.throws(() => presetSpec('resnet', [1, 28, 28], 3, { depth: 0 }), /depth/);
  });

  it('the same seed gives bit-identical weights', () => {
    const a = classifierModel('resnet', [1, 12, 12], 3, {}, new Rng(9)).params();
    const b = classifierModel('resnet', [1, 12, 12], 3, {}, new Rng(9)).params();
    a.forEach((p, i) => assert.deepEqual(p.value, b[i].value));
  });

  for (const name of ['vgg', 'resnet', 'highway'] as const) {
    it(`${name} learns: a few Adam steps lower the loss on a fixed batch`, () => {
      const m = classifierModel(name, [1, 8, 8], 2, { batchNorm: true }, new Rng(3));
      const rng = new Rng(4);
      const x = tensor([8, 1, 8, 8], Float32Array.from({ length: 8 * 64 }, () => rng.normal()));
      const labels = Int32Array.from([0, 1, 0, 1, 0, 1, 0, 1]);
      const opt = createOptimizer({ type: 'adam', lr: 0.01 });
      const params = m.params();
      let first = 0;
      let last = 0;
      for (let s = 0; s < 15; s++) {
        const { y, caches } = m.forward(x, { training: true, rng });
        const { loss, grad } = softmaxCrossEntropy(y, labels);
        if (s === 0) first = loss;
        last = loss;
        for (const p of params) p.grad.fill(0);
        m.backward(caches, grad);
        opt.step(params);
      }
      assert.ok(last < first * 0.7, `loss ${first} -> ${last}`);
    });
  }
});
