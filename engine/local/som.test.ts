import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { PrototypeEditor } from './editor.js';
import { scheduleValue } from './schedule.js';
import { Lattice } from './som-lattice.js';
import { Som } from './som.js';

const near = (a: number, b: number, what: string, tol = 1e-6) => assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);
const constant = (v: number) => ({ kind: 'constant' as const, start: v, total: 100 });

test('one SOM step with a known gaussian neighbourhood', () => {
  const som = new Som({ dim: 1, width: 3, rate: constant(0.5), radius: constant(1) });
  [0, 1, 2].forEach((v, u) => som.setPrototype(u, Float32Array.of(v)));
  // x = 0.2: BMU 0. h = exp(-dx^2 / (2 sigma^2)) = 1, e^-0.5, e^-2; eta = 0.5.
  // w0 = 0 + 0.5 * 1 * 0.2 = 0.1; w1 = 1 + 0.5 e^-0.5 (0.2 - 1) = 0.757388; w2 = 2 + 0.5 e^-2 (0.2 - 2) = 1.878198.
  const s = som.present(Float32Array.of(0.2));
  assert.equal(s.winner, 0);
  near(som.prototype(0)[0], 0.1, 'w0');
  near(som.prototype(1)[0], 1 - 0.4 * Math.exp(-0.5), 'w1');
  near(som.prototype(2)[0], 2 - 0.9 * Math.exp(-2), 'w2');
  near(s.influence[1], 0.5 * Math.exp(-0.5), 'influence');
  assert.equal(s.moved.length, 3);
});

test('bubble and mexican-hat neighbourhoods, hexagonal coordinates', () => {
  const lat = new Lattice(5, 1, 'rectangular');
  const h = new Float64Array(5);
  lat.neighbourhood('bubble', 2, 2, h); // |x - 2| < 2 -> units 1, 2, 3
  assert.deepEqual([...h], [0, 1, 1, 1, 0]);
  lat.neighbourhood('mexican-hat', 2, 1, h); // exp(-p/2)(1 - p): p = 0 -> 1; p = 1 -> 0; p = 4 -> -3 e^-2
  near(h[2], 1, 'hat 0');
  near(h[1], 0, 'hat 1');
  near(h[0], -3 * Math.exp(-2), 'hat 2');
  const hex = new Lattice(3, 3, 'hexagonal');
  // Every interior unit of a hexagonal lattice has six neighbours at distance 1.
  assert.equal(hex.neighbours[4].length, 6);
  const rect = new Lattice(3, 3, 'rectangular');
  assert.equal(rect.neighbours[4].length, 8);
  assert.equal(rect.neighbours[0].length, 3);
});

test('U-matrix on a tiny lattice, sum and mean scaling', () => {
  const som = new Som({ dim: 1, width: 3 });
  [0, 1, 3].forEach((v, u) => som.setPrototype(u, Float32Array.of(v)));
  // sums of distances to neighbours: unit 0: 1; unit 1: 1 + 2 = 3; unit 2: 2 -> divided by 3.
  assert.deepEqual([...som.uMatrix('sum')], [1 / 3, 1, 2 / 3]);
  // means: 1, 1.5, 2 -> divided by 2.
  assert.deepEqual([...som.uMatrix('mean')], [0.5, 0.75, 1]);
  const sq = new Som({ dim: 1, width: 2, height: 2 });
  [0, 1, 3, 6].forEach((v, u) => sq.setPrototype(u, Float32Array.of(v)));
  // 8-neighbourhood on 2x2: every unit touches the other three: 10, 8, 8, 14 -> / 14.
  assert.deepEqual([...sq.uMatrix()], [10 / 14, 8 / 14, 8 / 14, 1]);
});

test('quantization and topographic error on a hand case', () => {
  const som = new Som({ dim: 1, width: 3 });
  [0, 2, 1].forEach((v, u) => som.setPrototype(u, Float32Array.of(v))); // a folded map
  // 0.4: BMU 0 (0.4), second unit 2 (0.6): units 0 and 2 are not adjacent -> error.
  // 1.6: BMU 1 (0.4), second 2 (0.6): adjacent. 1.1: BMU 2 (0.1), second 1 (0.9): adjacent.
  const x = Float32Array.of(0.4, 1.6, 1.1);
  const e = som.errors(x, 3);
  near(e.quantizationError, (0.4 + 0.4 + 0.1) / 3, 'QE');
  near(e.topographicError, 1 / 3, 'TE');
  assert.equal(som.bmu(Float32Array.of(1.9)), 1);
});

/** Uniform on the rectangle [0, 4] x [0, 3]. */
function rectangle(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const x = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = 4 * r.next();
    x[2 * i + 1] = 3 * r.next();
  }
  return x;
}

test('SOM training orders the map (QE and TE fall); seeds reproduce; resume equals uninterrupted', () => {
  const x = rectangle(150, 1);
  const total = 900;
  const make = () => {
    const s = new Som({
      dim: 2,
      width: 4,
      height: 3,
      topology: 'hexagonal',
      rate: { kind: 'exponential', start: 0.5, end: 0.01, total },
      radius: { kind: 'linear', start: 1.5, end: 0.3, total },
      seed: 7,
    });
    s.init(x, 150, 'random');
    return s;
  };
  const a = make();
  const e0 = a.errors(x, 150); // random init: QE 0.58, TE 0.57
  const e = a.train(x, 150, 6); // after 6 epochs: QE 0.41, TE 0
  assert.ok(e[5].quantizationError < 0.8 * e0.quantizationError);
  assert.ok(e[5].topographicError < 0.05 && e0.topographicError > 0.3);
  const b = make();
  for (let s = 0; s < 400; s++) b.step(x, 150);
  const st = b.toState();
  const c = Som.fromState(structuredClone(st));
  assert.deepEqual(c.current(), { eta: scheduleValue(st.config.rate, 400), sigma: scheduleValue(st.config.radius, 400) });
  for (let s = 400; s < 900; s++) c.step(x, 150);
  assert.deepEqual(c.prototypes.data, a.prototypes.data);
});

test('PCA initialization spans the main direction; frozen units stay put; edits reassign exactly', () => {
  const r = new Rng(3);
  const n = 200;
  const x = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const t = r.normal();
    x[2 * i] = 3 * t + 1;
    x[2 * i + 1] = 0.1 * r.normal() - 2;
  }
  const som = new Som({ dim: 2, width: 5, seed: 1 });
  som.init(x, n, 'pca');
  // Units lie along the x axis around the mean (1, -2), ordered, spaced by about 2*3/4.
  const xs = [0, 1, 2, 3, 4].map((u) => som.prototype(u)[0]);
  near(xs[2], 1, 'middle unit', 0.4);
  near(xs[4] - xs[0], 6, 'span', 0.8);
  som.prototypes.setFrozen(2, true);
  const frozen = som.prototype(2);
  som.train(x, n, 1);
  assert.deepEqual(som.prototype(2), frozen);
  const ed = new PrototypeEditor(som, x, n);
  ed.move(0, Float32Array.of(2, 0));
  const fresh = Int32Array.from({ length: n }, (_, i) => som.bmu(x, 2 * i));
  assert.deepEqual(ed.labels, fresh);
  assert.throws(() => ed.add(Float32Array.of(0, 0)), /fixed set of units/);
});

test('schedules follow the MiniSom formulas', () => {
  near(scheduleValue({ kind: 'asymptotic', start: 0.5, total: 100 }, 50), 0.25, 'asymptotic'); // 0.5/(1+50/50)
  near(scheduleValue({ kind: 'inverse-to-zero', start: 1, total: 100 }, 1), 0.5, 'inverse'); // C=1: 1/(1+1)
  near(scheduleValue({ kind: 'linear-to-one', start: 3, total: 10 }, 5), 2, 'linear to one');
  near(scheduleValue({ kind: 'inverse-to-one', start: 3, total: 10 }, 5), 1.5, 'inverse to one'); // 3/(1+5*2/10)
  near(scheduleValue({ kind: 'exponential', start: 1, end: 0.01, total: 10 }, 5), 0.1, 'exponential');
  near(scheduleValue({ kind: 'linear', start: 1, end: 0, total: 10 }, 20), 0, 'linear clamps');
});
