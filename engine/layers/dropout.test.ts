import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import './index.js';
import { buildLayer } from './layer.js';

const ones = (n: number) => tensor([n, 10], new Float32Array(n * 10).fill(1));

test('dropout keeps the mean: survivors scaled by 1/(1-rate), about rate of them zeroed', () => {
  const layer = buildLayer({ type: 'dropout', rate: 0.3 }, [10], new Rng(1));
  const { y } = layer.forward(ones(10000), { training: true, rng: new Rng(5) });
  let sum = 0;
  let zeros = 0;
  for (const v of y.data) {
    sum += v;
    if (v === 0) zeros++;
    else assert.ok(Math.abs(v - 1 / 0.7) < 1e-6, `survivor ${v}`);
  }
  assert.ok(Math.abs(sum / y.data.length - 1) < 0.01, `mean ${sum / y.data.length}`);
  assert.ok(Math.abs(zeros / y.data.length - 0.3) < 0.01, `dropped ${zeros / y.data.length}`);
});

test('dropout is the identity in inference and with rate 0', () => {
  const x = tensor([2, 10], Float32Array.from({ length: 20 }, (_, i) => i - 7));
  const layer = buildLayer({ type: 'dropout', rate: 0.5 }, [10], new Rng(1));
  const r = layer.forward(x, { training: false, rng: new Rng(5) });
  assert.deepEqual(Array.from(r.y.data), Array.from(x.data));
  const dy = tensor([2, 10], new Float32Array(20).fill(3));
  assert.deepEqual(Array.from(layer.backward(r.cache, dy).data), Array.from(dy.data));
  const zero = buildLayer({ type: 'dropout', rate: 0 }, [10], new Rng(1));
  assert.deepEqual(Array.from(zero.forward(x, { training: true, rng: new Rng(5) }).y.data), Array.from(x.data));
});

test('dropout masks come from ctx.rng: same seed same mask, backward applies the same mask', () => {
  const layer = buildLayer({ type: 'dropout', rate: 0.5 }, [10], new Rng(1));
  const a = layer.forward(ones(4), { training: true, rng: new Rng(9) });
  const b = layer.forward(ones(4), { training: true, rng: new Rng(9) });
  const c = layer.forward(ones(4), { training: true, rng: new Rng(10) });
  assert.deepEqual(Array.from(a.y.data), Array.from(b.y.data));
  assert.notDeepEqual(Array.from(a.y.data), Array.from(c.y.data));
  const dx = layer.backward(a.cache, tensor([4, 10], new Float32Array(40).fill(1)));
  assert.deepEqual(Array.from(dx.data), Array.from(a.y.data));
});
