import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import './index.js';
import { initWeights } from './init.js';
import { buildLayer } from './layer.js';

function stats(a: Float32Array): { mean: number; std: number; maxAbs: number } {
  let s = 0;
  let q = 0;
  let m = 0;
  for (const v of a) {
    s += v;
    q += v * v;
    m = Math.max(m, Math.abs(v));
  }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(q / a.length - mean * mean), maxAbs: m };
}

test('initializers have the documented spread', () => {
  const n = 40000;
  const cases: [Parameters<typeof initWeights>[1], number, number][] = [
    ['he', Math.sqrt(2 / 50), Infinity],
    ['heUniform', Math.sqrt(6 / 50) / Math.sqrt(3), Math.sqrt(6 / 50)],
    ['glorot', Math.sqrt(2 / 80), Infinity],
    ['glorotUniform', Math.sqrt(6 / 80) / Math.sqrt(3), Math.sqrt(6 / 80)],
  ];
  for (const [name, std, limit] of cases) {
    const a = new Float32Array(n);
    initWeights(a, name, 50, 30, new Rng(1));
    const s = stats(a);
    assert.ok(Math.abs(s.std / std - 1) < 0.03, `${name}: std ${s.std} vs ${std}`);
    assert.ok(Math.abs(s.mean) < 0.03 * std, `${name}: mean ${s.mean}`);
    assert.ok(s.maxAbs <= limit, `${name}: |w| ${s.maxAbs} within ${limit}`);
  }
  assert.throws(() => initWeights(new Float32Array(2), 'he', 0, 1, new Rng(1)), /fan-in and fan-out must be positive/);
});

test('layers use their fan-in (conv: channels * k * k) and a constant bias', () => {
  const conv = buildLayer({ type: 'conv2d', filters: 64, kernel: 3, biasInit: 0.1 }, [8, 6, 6], new Rng(2));
  const [w, b] = conv.params();
  assert.deepEqual(w.shape, [64, 8, 3, 3]);
  const s = stats(w.value);
  assert.ok(Math.abs(s.std / Math.sqrt(2 / 72) - 1) < 0.05, `conv std ${s.std}`);
  assert.deepEqual(Array.from(b.value), new Array(64).fill(Math.fround(0.1)));
  assert.equal(w.decay, true);
  assert.equal(b.decay, false);
});

test('the same seed gives bit-identical weights; another seed does not', () => {
  const spec = { type: 'residual', body: [{ type: 'conv2d', filters: 4 }, { type: 'relu' }, { type: 'conv2d', filters: 4 }], shortcut: [{ type: 'conv2d', filters: 4, kernel: 1 }] };
  const weights = (seed: number) => {
    const l = buildLayer(spec, [2, 5, 5], new Rng(seed));
    return l.children!().flatMap((c) => c.params().map((p) => Array.from(p.value)));
  };
  assert.deepEqual(weights(7), weights(7));
  assert.notDeepEqual(weights(7), weights(8));
});
