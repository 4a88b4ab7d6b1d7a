import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { ridgeLeastSquares } from './linalg.js';
import { MixtureOfExperts, type MoeMode, type MoeOutput } from './moe.js';

function gradCheck(mode: MoeMode, output: MoeOutput = 'linear') {
  const r = new Rng(2);
  const n = 5;
  const d = 3;
  const m = 2;
  const moe = new MixtureOfExperts({ dim: d, outputs: m, experts: 3, mode, output, seed: 4 });
  for (const a of [moe.experts, moe.gate]) for (let q = 0; q < a.length; q++) a[q] = r.normal();
  const x = Float32Array.from({ length: n * d }, () => r.normal());
  // softmax experts: soft targets (non-negative, not summing to 1) exercise the general gradient
  const t = Float32Array.from({ length: n * m }, () => (output === 'softmax' ? r.next() : r.normal()));
  const g = moe.gradients(x, t, n);
  const eps = 1e-5;
  for (const [name, a, ga] of [['experts', moe.experts, g.experts], ['gate', moe.gate, g.gate]] as const) {
    for (let q = 0; q < a.length; q++) {
      const v = a[q];
      a[q] = v + eps;
      const lp = moe.loss(x, t, n);
      a[q] = v - eps;
      const lm = moe.loss(x, t, n);
      a[q] = v;
      const num = (lp - lm) / (2 * eps);
      assert.ok(Math.abs(num - ga[q]) < 1e-6 + 1e-5 * Math.abs(num), `${mode} ${output} ${name}[${q}]: ${ga[q]} vs ${num}`);
    }
  }
}

test('mixture-of-experts gradients match finite differences (cooperative and competitive)', () => {
  gradCheck('cooperative');
  gradCheck('competitive');
});

test('softmax-expert gradients match finite differences (cooperative and competitive)', () => {
  gradCheck('cooperative', 'softmax');
  gradCheck('competitive', 'softmax');
});

test('softmax experts predict class probabilities: softmax of the blended logits, or the gated mixture of each expert\'s', () => {
  const x = Float32Array.of(0.5, -1);
  for (const mode of ['cooperative', 'competitive'] as const) {
    const moe = new MixtureOfExperts({ dim: 2, outputs: 3, experts: 2, mode, output: 'softmax', seed: 2 });
    for (let q = 0; q < moe.experts.length; q++) moe.experts[q] = Math.sin(q);
    const g = moe.gates(x, 0);
    const z = moe.expertOutputs(x, 0);
    const p = moe.predict(x);
    const sm = (v: number[]) => {
      const e = v.map(Math.exp);
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((u) => u / s);
    };
    const want =
      mode === 'cooperative'
        ? sm([0, 1, 2].map((o) => g[0] * z[o] + g[1] * z[3 + o]))
        : [0, 1, 2].map((o) => g[0] * sm([...z.subarray(0, 3)])[o] + g[1] * sm([...z.subarray(3, 6)])[o]);
    for (let o = 0; o < 3; o++) assert.ok(Math.abs(p[o] - want[o]) < 1e-12, `${mode}: ${[...p]} vs ${want}`);
    // the loss is the cross-entropy of that prediction for one-hot targets
    assert.ok(Math.abs(moe.loss(x, Float32Array.of(0, 1, 0), 1) + Math.log(want[1])) < 1e-12);
  }
});

test('responsibilities are the posterior g_e exp(-0.5|t - y_e|^2) / sum', () => {
  const moe = new MixtureOfExperts({ dim: 1, outputs: 1, experts: 2 });
  moe.experts.set([0, 0, 1, 0]); // y_1 = 0, y_2 = x
  moe.gate.fill(0); // g = (1/2, 1/2)
  // x = 2, t = 2: y = (0, 2); weights 0.5 e^-2 and 0.5 e^0 -> h = (e^-2, 1) / (1 + e^-2)
  const h = moe.responsibilities(Float32Array.of(2), 0, Float32Array.of(2), 0);
  const z = 1 + Math.exp(-2);
  assert.ok(Math.abs(h[0] - Math.exp(-2) / z) < 1e-12 && Math.abs(h[1] - 1 / z) < 1e-12);
  assert.deepEqual([...moe.predict(Float32Array.of(2))], [1]);
});

test('mixture of experts fits a piecewise-linear function far better than one linear model', () => {
  // y = |x| on [-2, 2]: two linear pieces. A single least-squares line can only fit the mean.
  const n = 81;
  const x = Float32Array.from({ length: n }, (_, i) => -2 + (4 * i) / (n - 1));
  const t = Float32Array.from(x, (v) => Math.abs(v));
  const w = ridgeLeastSquares(n, 2, (i, out) => out.set([x[i], 1]), t, 1, 0);
  let lin = 0;
  for (let i = 0; i < n; i++) lin += 0.5 * (w[0] * x[i] + w[1] - t[i]) ** 2;
  lin /= n; // about 0.17
  for (const mode of ['competitive', 'cooperative'] as const) {
    const moe = new MixtureOfExperts({ dim: 1, outputs: 1, experts: 2, mode, seed: 3 });
    moe.train(x, t, n, { epochs: 300, rate: 0.2, batch: 9 });
    const mse = moe.mse(x, t, n);
    assert.ok(mse < lin / 10, `${mode}: ${mse} vs linear ${lin}`);
  }
});

test('MoE resumes exactly from its state', () => {
  const x = Float32Array.from({ length: 20 }, (_, i) => i / 10 - 1);
  const t = Float32Array.from(x, (v) => (v > 0 ? 2 * v : -v));
  const a = new MixtureOfExperts({ dim: 1, outputs: 1, experts: 2, seed: 8 });
  a.train(x, t, 20, { epochs: 3, rate: 0.1, batch: 4 });
  const st = structuredClone(a.toState());
  a.train(x, t, 20, { epochs: 3, rate: 0.1, batch: 4 });
  const b = MixtureOfExperts.fromState(st);
  b.train(x, t, 20, { epochs: 3, rate: 0.1, batch: 4 });
  assert.deepEqual(b.experts, a.experts);
  assert.deepEqual(b.gate, a.gate);
});
