import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { PrototypeEditor } from './editor.js';
import { FuzzyArt } from './fuzzy-art.js';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);

test('a fuzzy ART sequence whose categories are worked out by hand', () => {
  const art = new FuzzyArt({ dim: 1, alpha: 0.001, beta: 1, rho: 0.9 });
  const p = (v: number) => art.present(Float32Array.of(v));
  // 0.125: no categories -> new category 0, w0 = (0.125, 0.875).
  let s = p(0.125);
  assert.equal(s.created, true);
  assert.equal(s.winner, 0);
  // 0.875: I = (0.875, 0.125); I^w0 = (0.125, 0.125) -> 0.25, match 0.25 < 0.9 -> reset -> new category 1.
  s = p(0.875);
  assert.equal(s.created, true);
  assert.equal(s.tried.length, 1);
  close(s.tried[0].match, 0.25, 'match 0');
  close(s.tried[0].choice, 0.25 / 1.001, 'choice 0');
  // 0.1875: I = (0.1875, 0.8125); I^w0 = (0.125, 0.8125) = 0.9375, T0 = 0.9375/1.001;
  // I^w1 = (0.1875, 0.125) = 0.3125, T1 = 0.3125/1.001. Category 0 is tried first and resonates (0.9375 >= 0.9);
  // fast learning: w0 = I ^ w0 = (0.125, 0.8125), the box [0.125, 0.1875].
  s = p(0.1875);
  assert.equal(s.resonated, 0);
  assert.equal(s.created, false);
  assert.deepEqual(s.tried.map((t) => t.index), [0]);
  close(s.tried[0].choice, 0.9375 / 1.001, 'T0');
  assert.deepEqual([...art.prototypes.row(0)], [0.125, 0.8125]);
  assert.deepEqual(art.box(0), { lower: Float32Array.of(0.125), upper: Float32Array.of(0.1875) });
  close(s.moved[0].distance, 0.0625, 'moved');
  // 0.5: I^w0 = (0.125, 0.5) = 0.625, |w0| = 0.9375, T0 = 0.625/0.9385; I^w1 = (0.5, 0.125) = 0.625,
  // T1 = 0.625/1.001 < T0. Both matches are 0.625 < 0.9: both reset, new category 2 = (0.5, 0.5).
  s = p(0.5);
  assert.deepEqual(s.tried.map((t) => [t.index, t.passed]), [[0, false], [1, false]]);
  close(s.tried[0].choice, 0.625 / 0.9385, 'T0 again');
  close(s.tried[1].choice, 0.625 / 1.001, 'T1');
  assert.equal(s.created, true);
  assert.equal(s.winner, 2);
  // Lower the vigilance to 0.6 while learning. 0.375: I = (0.375, 0.625);
  // T0 = (0.125+0.625)/0.9385 = 0.7992, T1 = (0.375+0.125)/1.001 = 0.4995, T2 = (0.375+0.5)/1.001 = 0.8741:
  // order 2, 0, 1; category 2 matches 0.875 >= 0.6 and learns w2 = (0.375, 0.5), the box [0.375, 0.5].
  art.vigilance = 0.6;
  s = p(0.375);
  assert.deepEqual(s.tried.map((t) => t.index), [2]);
  assert.equal(s.resonated, 2);
  assert.deepEqual([...art.prototypes.row(2)], [0.375, 0.5]);
  assert.deepEqual(art.counts, [2, 1, 2]);
});

test('slow learning moves the weights part way: w = beta (I ^ w) + (1 - beta) w', () => {
  const art = new FuzzyArt({ dim: 1, beta: 0.5, rho: 0.9 });
  art.present(Float32Array.of(0.125));
  art.present(Float32Array.of(0.1875));
  // I ^ w0 = (0.125, 0.8125); w0 = 0.5 (0.125, 0.8125) + 0.5 (0.125, 0.875) = (0.125, 0.84375).
  assert.deepEqual([...art.prototypes.row(0)], [0.125, 0.84375]);
});

function uniform(n: number, d: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n * d }, () => r.next());
}

test('the number of categories rises with the vigilance', () => {
  const x = uniform(300, 2, 1);
  const counts = [0.2, 0.4, 0.6, 0.75, 0.85, 0.92].map((rho) => {
    const art = new FuzzyArt({ dim: 2, rho, seed: 3 });
    art.train(x, 300, 2);
    return art.prototypes.count;
  });
  for (let t = 1; t < counts.length; t++) assert.ok(counts[t] >= counts[t - 1], `counts ${counts.join(', ')}`);
  assert.ok(counts[counts.length - 1] > 4 * counts[0], `counts ${counts.join(', ')}`);
});

test('category limit, frozen categories, input checks', () => {
  const art = new FuzzyArt({ dim: 1, rho: 0.95, maxCategories: 2 });
  art.present(Float32Array.of(0.1));
  art.present(Float32Array.of(0.9));
  art.prototypes.setFrozen(0, true);
  const before = Float32Array.from(art.prototypes.row(0));
  assert.equal(art.present(Float32Array.of(0.12)).resonated, 0);
  assert.deepEqual(art.prototypes.row(0), before);
  const s = art.present(Float32Array.of(0.5));
  assert.equal(s.winner, -1);
  assert.match(s.skipped ?? '', /limit 2/);
  assert.throws(() => art.present(Float32Array.of(1.5)), /must be in \[0, 1\]/);
  assert.throws(() => new FuzzyArt({ dim: 2, beta: 0 }), /beta must be in/);
});

test('fuzzy ART: edits keep the assignment equal to a fresh pass; resume equals uninterrupted', () => {
  const x = uniform(200, 3, 2);
  const make = () => new FuzzyArt({ dim: 3, rho: 0.7, seed: 5, beta: 0.6 });
  const a = make();
  for (let s = 0; s < 500; s++) a.step(x, 200);
  const b = make();
  for (let s = 0; s < 250; s++) b.step(x, 200);
  const c = FuzzyArt.fromState(structuredClone(b.toState()));
  for (let s = 250; s < 500; s++) c.step(x, 200);
  assert.deepEqual(c.prototypes.data, a.prototypes.data);

  const ed = new PrototypeEditor(a, x, 200);
  const fresh = () => Int32Array.from({ length: 200 }, (_, i) => a.classify(x, i * 3));
  assert.deepEqual(ed.labels, fresh());
  ed.move(0, Float32Array.of(0.1, -0.05, 0.2));
  assert.deepEqual(ed.labels, fresh());
  ed.add(Float32Array.of(0.5, 0.5, 0.5));
  assert.deepEqual(ed.labels, fresh());
  ed.remove(1);
  assert.deepEqual(ed.labels, fresh());
});
