import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Art2a } from './art2a.js';
import { PrototypeEditor } from './editor.js';

const close = (a: ArrayLike<number>, b: number[], what: string) =>
  b.forEach((v, t) => assert.ok(Math.abs(a[t] - v) < 1e-6, `${what}[${t}]: ${a[t]} vs ${v}`));

test('ART-2A on a hand-worked sequence (cosine choice, vigilance, normalized learning)', () => {
  const art = new Art2a({ dim: 2, rho: 0.9, beta: 0.5, theta: 0 });
  const p = (a: number, b: number) => art.present(Float32Array.of(a, b));
  assert.equal(p(2, 0).created, true); // I = (1, 0) -> category 0
  // (0, 5): I = (0, 1), T0 = 0 < max(0.9, alpha * 1) -> new category 1.
  assert.equal(p(0, 5).created, true);
  // (0.8, 0.6): T0 = 0.8, T1 = 0.6; the winner 0 fails 0.8 < 0.9 -> new category 2 = (0.8, 0.6).
  let s = p(0.8, 0.6);
  assert.equal(s.created, true);
  assert.deepEqual(s.tried.map((t) => [t.index, t.passed]), [[0, false]]);
  // (6, 8): I = (0.6, 0.8); T2 = 0.48 + 0.48 = 0.96 >= 0.9 -> resonates with category 2;
  // psi = I (both weights > theta), w2 = N(0.5 (0.6, 0.8) + 0.5 (0.8, 0.6)) = N(0.7, 0.7) = (0.70711, 0.70711).
  s = p(6, 8);
  assert.equal(s.resonated, 2);
  assert.ok(Math.abs(s.tried[0].choice - 0.96) < 1e-6);
  close(art.prototypes.row(2), [Math.SQRT1_2, Math.SQRT1_2], 'w2');
  // Scale does not matter: (30, 0) is the same direction as category 0.
  assert.equal(p(30, 0).resonated, 0);
  // A zero vector has no direction: skipped, nothing learnt.
  s = p(0, 0);
  assert.equal(s.winner, -1);
  assert.match(s.skipped ?? '', /zero vector/);
  assert.deepEqual(art.counts, [2, 1, 2]);
});

test('ART-2A edits agree with a fresh classification pass', () => {
  const x = Float32Array.from({ length: 60 * 4 }, (_, i) => ((i * 7919) % 97) / 97);
  const art = new Art2a({ dim: 4, rho: 0.95, seed: 2 });
  art.train(x, 60, 2);
  const ed = new PrototypeEditor(art, x, 60);
  const fresh = () => Int32Array.from({ length: 60 }, (_, i) => art.classify(x, i * 4));
  assert.deepEqual(ed.labels, fresh());
  ed.move(0, Float32Array.of(0.2, 0, 0, -0.1));
  assert.deepEqual(ed.labels, fresh());
  ed.remove(0);
  assert.deepEqual(ed.labels, fresh());
  assert.throws(() => art.addPrototype(new Float32Array(4)), /non-zero/);
});
