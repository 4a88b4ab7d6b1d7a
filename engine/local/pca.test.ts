import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { symmetricEigen } from './linalg.js';
import { Pca } from './pca.js';
import { pcaReference } from './pca-reference.js';

test('Jacobi eigen-decomposition: A v = lambda v, values in decreasing order', () => {
  // [[2, 1], [1, 2]]: eigenvalues 3 (1, 1)/sqrt2 and 1 (1, -1)/sqrt2.
  const two = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
  assert.ok(Math.abs(two.values[0] - 3) < 1e-12 && Math.abs(two.values[1] - 1) < 1e-12);
  assert.ok(Math.abs(Math.abs(two.vectors[0]) - Math.SQRT1_2) < 1e-12);
  const r = new Rng(5);
  const p = 6;
  const b = Float64Array.from({ length: p * p }, () => r.normal());
  const a = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) for (let t = 0; t < p; t++) a[i * p + j] += b[i * p + t] * b[j * p + t];
  const { values, vectors } = symmetricEigen(Float64Array.from(a), p);
  for (let c = 0; c < p; c++) {
    if (c > 0) assert.ok(values[c] <= values[c - 1]);
    for (let i = 0; i < p; i++) {
      let av = 0;
      for (let j = 0; j < p; j++) av += a[i * p + j] * vectors[j * p + c];
      assert.ok(Math.abs(av - values[c] * vectors[i * p + c]) < 1e-9, `column ${c} row ${i}`);
    }
  }
});

test('the GEMM subspace iteration finds the same components and variances as the plain loops', () => {
  const r = new Rng(7);
  const n = 1500;
  const d = 40;
  // Correlated data with a clear spectrum: x = A z + noise, z with decreasing scales.
  const a = Float64Array.from({ length: d * 5 }, () => r.normal());
  const scales = [3, 2, 1, 0.7, 0.5];
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const z = scales.map((s) => s * r.normal());
    for (let t = 0; t < d; t++) {
      let v = 0.5 + 0.1 * r.normal();
      for (let q = 0; q < 5; q++) v += a[t * 5 + q] * z[q];
      x[i * d + t] = v;
    }
  }
  const fast = Pca.fit(x, n, d, new Rng(1), { maxSamples: 1000 });
  const ref = pcaReference(x, n, d, new Rng(1), { maxSamples: 1000, iterations: 2000, tol: 1e-14 });
  for (let c = 0; c < 2; c++) {
    assert.ok(Math.abs(fast.variances[c] - ref.variances[c]) < 1e-4 * ref.variances[0], `variance ${c}: ${fast.variances[c]} vs ${ref.variances[c]}`);
    let cos = 0;
    for (let t = 0; t < d; t++) cos += fast.components[c * d + t] * ref.components[c * d + t];
    assert.ok(cos > 1 - 1e-5, `component ${c}: cos ${cos}`);
  }
  for (let t = 0; t < d; t++) assert.ok(Math.abs(fast.mean[t] - ref.mean[t]) < 1e-5);
});

test('degenerate data (rank one, fewer samples than the block) still gives an orthonormal pair', () => {
  const x = Float32Array.of(0, 0, 0, 1, 2, 3, 2, 4, 6);
  const p = Pca.fit(x, 3, 3, new Rng(2));
  const c = p.components;
  const dot = (i: number, j: number) => c[3 * i] * c[3 * j] + c[3 * i + 1] * c[3 * j + 1] + c[3 * i + 2] * c[3 * j + 2];
  assert.ok(Math.abs(dot(0, 0) - 1) < 1e-6 && Math.abs(dot(1, 1) - 1) < 1e-6 && Math.abs(dot(0, 1)) < 1e-6);
  assert.ok(Math.abs(Math.abs(c[0]) - 1 / Math.sqrt(14)) < 1e-5, 'first component along (1, 2, 3)');
  assert.ok(p.variances[1] < 1e-5);
});
