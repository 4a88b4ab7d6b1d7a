/**
 * Sequential.predict takes its layers' outputs from an arena reused across calls (core/arena.ts): it must
 * give exactly what a forward pass on fresh arrays gives, call after call with other inputs and batch
 * sizes, on chains that branch (residual, gate: an input still needed after later outputs were made),
 * and the tensor it returned must stay as it was after the next call.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Arena } from '../core/arena.js';
import { Rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import '../layers/index.js';
import { onEachBackend } from '../testing/backends.js';
import { presetSpec } from './presets.js';
import { Sequential } from './sequential.js';

const input = (n: number, c: number, side: number, seed: number): Tensor => {
  const r = new Rng(seed);
  const x = tensor([n, c, side, side]);
  for (let i = 0; i < x.data.length; i++) x.data[i] = r.normal();
  return x;
};

const cases: [string, number, number, object][] = [
  ['lenet5', 1, 28, {}],
  ['mlp', 1, 28, {}],
  ['resnet', 3, 16, { batchNorm: true }],
  ['highway', 1, 12, {}],
  ['vgg', 3, 16, { batchNorm: true, depth: 2 }],
  ['vgg', 3, 16, { depth: 2 }],
];

for (const [preset, c, side, o] of cases) {
  test(`${preset} ${JSON.stringify(o)}: predict from the arena equals a forward pass on fresh arrays, call after call`, () => {
    const model = new Sequential(presetSpec(preset, [c, side, side], 10, o), new Rng(2));
    const fresh = (x: Tensor) => model.forward(x, { training: false, rng: new Rng(0) }).y.data;
    const kept: { y: Tensor; copy: Float32Array; want: Float32Array }[] = [];
    for (const [n, seed] of [[4, 1], [4, 2], [3, 3], [4, 4]]) {
      const x = input(n, c, side, seed);
      const y = model.predict(x, new Rng(0));
      const want = fresh(x);
      assert.deepEqual(y.shape, [n, 10]);
      assert.deepEqual(y.data, want);
      kept.push({ y, copy: y.data.slice(), want });
    }
    for (const k of kept) assert.deepEqual(k.y.data, k.copy, 'a returned result is not overwritten by later calls');
    assert.notDeepEqual(kept[0].want, kept[1].want);
  });
}

test('predict runs a convolution and the ReLU after it as one pass (forwardRelu), with the same results, on both kernel backends', () => {
  onEachBackend((backend) => {
    const model = new Sequential(presetSpec('vgg', [3, 16, 16], 10, { depth: 2 }), new Rng(3));
    const convs = model.layers.filter((l) => l.type === 'conv2d' && model.layers[model.layers.indexOf(l) + 1]?.type === 'relu');
    assert.equal(convs.length, 4);
    let fused = 0;
    for (const l of convs) {
      const f = l.forwardRelu!.bind(l);
      l.forwardRelu = (x, ctx) => {
        fused++;
        return f(x, ctx);
      };
    }
    const x = input(5, 3, 16, 9);
    const y = model.predict(x, new Rng(0));
    assert.equal(fused, 4, backend);
    assert.deepEqual(y.data, model.forward(x, { training: false, rng: new Rng(0) }).y.data, backend);
    assert.equal(fused, 4, `${backend}: forward (which a backward pass may follow) does not fuse`);
  });
});

test('Arena: distinct zero-filled arrays within a call, the same ones again after reset, new ones where a length changed', () => {
  const a = new Arena();
  const p = a.f32(8);
  const q = a.f32(8);
  const r = a.i32(8);
  assert.notEqual(p, q);
  p.fill(1);
  q.fill(2);
  r.fill(3);
  a.reset();
  const p2 = a.f32(8);
  const q2 = a.f32(5);
  const r2 = a.i32(8);
  assert.equal(p2, p);
  assert.notEqual(q2, q);
  assert.equal(r2, r);
  assert.deepEqual([...p2, ...q2, ...r2], new Array(21).fill(0));
  assert.equal(a.held, 21);
});
