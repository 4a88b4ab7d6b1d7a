import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import '../layers/index.js';
import { presetSpec } from './presets.js';
import { Sequential } from './sequential.js';

for (const preset of ['mlp', 'lenet5']) {
  test(`${preset}: backward without the input gradient fills the same param grads and returns no dx`, () => {
    const rng = new Rng(5);
    const model = new Sequential(presetSpec(preset, [1, 28, 28], 10), new Rng(1));
    const x = tensor([3, 1, 28, 28]);
    for (let i = 0; i < x.data.length; i++) x.data[i] = rng.next();
    const dy = tensor([3, 10]);
    for (let i = 0; i < dy.data.length; i++) dy.data[i] = rng.normal();
    const ctx = { training: false, rng: new Rng(0) };
    const grads = (needInput: boolean) => {
      model.zeroGrads();
      const { caches } = model.forward(x, ctx);
      const dx = model.backward(caches, dy, needInput);
      return { dx, g: model.params().map((p) => Float32Array.from(p.grad)) };
    };
    const full = grads(true);
    const lean = grads(false);
    assert.deepEqual(full.dx.shape, [3, 1, 28, 28]);
    assert.deepEqual(lean.dx.shape, [0]);
    assert.ok(full.g.some((g) => g.some((v) => v !== 0)));
    assert.deepEqual(lean.g, full.g);
  });
}
