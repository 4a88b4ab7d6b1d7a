/**
 * SOM figures of merit against MiniSom's published definitions (minisom.py; MiniSom itself is not
 * installable here), written out independently of som-lattice.ts:
 *   quantization_error = mean over samples of |x - w_bmu|                      (Euclidean, not squared)
 *   topographic_error, rectangular: the best and second-best units' grid indices differ by more than
 *     1.415 (so diagonal neighbours, at sqrt 2, count as adjacent);
 *   topographic_error, hexagonal: 1 - mean(isclose(1, |c1 - c2|)) with unit (i, j) at
 *     (i - 0.5 [rows shifted counted from the last one: xx[::-2] -= 0.5], j sqrt(3)/2).
 * Heights are odd here, where MiniSom's shifted rows are the even ones, as in our lattice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { Som } from './som.js';

function minisomErrors(x: Float32Array, n: number, d: number, w: Float32Array, width: number, height: number, hex: boolean) {
  const k = width * height;
  const coord = (u: number): [number, number] => {
    const i = Math.floor(u / height); // weights[i, j], unravel_index over (x, y)
    const j = u % height;
    if (!hex) return [i, j];
    const shifted = (height - 1 - j) % 2 === 0; // xx[::-2]: rows height-1, height-3, ...
    return [shifted ? i - 0.5 : i, (j * Math.sqrt(3)) / 2];
  };
  let qe = 0;
  let te = 0;
  for (let s = 0; s < n; s++) {
    const dist = Array.from({ length: k }, (_, u) => {
      let acc = 0;
      for (let t = 0; t < d; t++) acc += (x[s * d + t] - w[u * d + t]) ** 2;
      return Math.sqrt(acc);
    });
    const order = dist.map((_, u) => u).sort((a, b) => dist[a] - dist[b]);
    qe += dist[order[0]];
    const [a, b] = [coord(order[0]), coord(order[1])];
    if (hex) {
      const dd = Math.hypot(a[0] - b[0], a[1] - b[1]);
      if (!(Math.abs(dd - 1) <= 1e-8 + 1e-5 * 1)) te++; // numpy isclose(1, dd): |1 - dd| <= atol + rtol |dd|
    } else if (Math.hypot(a[0] - b[0], a[1] - b[1]) > 1.415) te++;
  }
  return { quantizationError: qe / n, topographicError: te / n };
}

for (const hex of [false, true]) {
  test(`quantization and topographic error match MiniSom's definitions (${hex ? 'hexagonal' : 'rectangular'} 4x5)`, () => {
    const r = new Rng(hex ? 8 : 9);
    const d = 3;
    const n = 400;
    const x = Float32Array.from({ length: n * d }, () => r.next());
    const som = new Som({ dim: d, width: 4, height: 5, topology: hex ? 'hexagonal' : 'rectangular', seed: 2 });
    som.init(x, n, 'random');
    for (let s = 0; s < 300; s++) som.step(x, n); // partly ordered: some second-best units are far away
    const ref = minisomErrors(x, n, d, som.prototypes.data, 4, 5, hex);
    const ours = som.errors(x, n);
    assert.ok(Math.abs(ours.quantizationError - ref.quantizationError) < 1e-6, `QE ${ours.quantizationError} vs ${ref.quantizationError}`);
    assert.equal(ours.topographicError, ref.topographicError);
    assert.ok(ref.topographicError > 0 && ref.topographicError < 1, `a case that tests something: TE ${ref.topographicError}`);
  });
}
