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

test("backward with paramGrads 'set' overwrites every grad with what zeroing then adding gives, bit for bit (dense, conv, batchNorm, residual and gate blocks)", () => {
  const cases = [
    ['mlp', [1, 28, 28], {}],
    ['lenet5', [1, 28, 28], { batchNorm: true }],
    ['resnet', [3, 16, 16], { batchNorm: true }],
    ['highway', [1, 16, 16], {}],
  ] as const;
  for (const [preset, input, opts] of cases) {
    const rng = new Rng(9);
    const model = new Sequential(presetSpec(preset, [...input], 10, opts), new Rng(2));
    const n = 3;
    const x = tensor([n, ...input]);
    for (let i = 0; i < x.data.length; i++) x.data[i] = rng.next();
    const dy = tensor([n, 10]);
    for (let i = 0; i < dy.data.length; i++) dy.data[i] = rng.normal();
    const grads = (mode: 'zero' | 'set') => {
      // Stale values from "an earlier step": 'set' must leave none of them behind.
      for (const p of model.params()) p.grad.fill(mode === 'set' ? Number.NaN : 0);
      const { caches } = model.forward(x, { training: true, rng: new Rng(4) });
      model.backward(caches, dy, false, undefined, mode === 'set' ? 'set' : true);
      return model.params().map((p) => Float32Array.from(p.grad));
    };
    const added = grads('zero');
    const set = grads('set');
    assert.ok(added.some((g) => g.some((v) => v !== 0)), preset);
    set.forEach((g, i) => assert.ok(g.every((v, q) => Object.is(v, added[i][q])), `${preset}: ${model.params()[i].name}`));
  }
});
