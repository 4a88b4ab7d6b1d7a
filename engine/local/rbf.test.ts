import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { PrototypeEditor } from './editor.js';
import { oneHot, RbfNetwork, type RbfTask } from './rbf.js';
import { trainCentres, trainHybrid, trainSpreads, trainSupervised, trainWeights } from './rbf-train.js';

/** Noisy XOR: clouds around the four corners of the unit square, label = x0 xor x1. */
function xor(per: number, seed: number) {
  const r = new Rng(seed);
  const x = new Float32Array(8 * per);
  const labels: number[] = [];
  let i = 0;
  for (let p = 0; p < per; p++) {
    for (const [a, b] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      x[2 * i] = a + 0.1 * r.normal();
      x[2 * i + 1] = b + 0.1 * r.normal();
      labels.push(a ^ b);
      i++;
    }
  }
  return { x, labels, n: 4 * per };
}

test('hybrid RBF fits XOR stage by stage (k-means centres, RMS spreads, least-squares weights)', () => {
  const { x, labels, n } = xor(25, 1);
  const t = oneHot(labels, 2);
  const net = new RbfNetwork({ dim: 2, outputs: 2, task: 'classification', seed: 3 });
  const c = trainCentres(net, x, n, { k: 4 });
  assert.equal(c.units, 4);
  assert.ok(c.inertia[1] <= c.inertia[0]);
  // each centre lands on one corner
  const corners = new Set([0, 1, 2, 3].map((j) => net.prototype(j)).map((v) => `${Math.round(v[0])}${Math.round(v[1])}`));
  assert.equal(corners.size, 4);
  const s = trainSpreads(net, x, n, 'rms');
  for (const v of s) assert.ok(v > 0.08 && v < 0.2, `spread ${v}`); // RMS of a 2-D cloud with sd 0.1 is about 0.14
  const loss = trainWeights(net, x, t, n);
  assert.ok(loss < 0.05, `loss ${loss}`); // 0.03: the outer points of each cloud see a weaker unit
  let right = 0;
  for (let i = 0; i < n; i++) if (net.predictClass(x, 2 * i) === labels[i]) right++;
  assert.equal(right, n);
  // the far corner of the plane: every unit has faded (beyond three spreads)
  const phi = net.activations(Float32Array.of(5, 5), 0, new Float64Array(4));
  for (const p of phi) assert.ok(p < Math.exp(-4.5));
});

test('hybrid regression with LMS weights and the nearest-centre spread rule', () => {
  const { x, labels, n } = xor(10, 2);
  const t = Float32Array.from(labels);
  const net = new RbfNetwork({ dim: 2, outputs: 1, seed: 1 });
  const r = trainHybrid(net, x, t, n, { k: 4, spreadRule: 'nearest', spreadScale: 0.5, weights: { method: 'lms', epochs: 200, rate: 0.1 } });
  for (const v of r.spreads) assert.ok(Math.abs(v - 0.5) < 0.1, `spread ${v}`); // corners are 1 apart
  assert.ok(r.loss < 0.02, `loss ${r.loss}`);
});

function gradCheck(task: RbfTask) {
  const r = new Rng(5);
  const d = 3;
  const k = 4;
  const m = 2;
  const n = 6;
  const net = new RbfNetwork({ dim: d, outputs: m, task });
  for (let j = 0; j < k; j++) net.addPrototype(Float32Array.from({ length: d }, () => r.normal()), 0.8 + r.next());
  for (let q = 0; q < net.weights.length; q++) net.weights[q] = r.normal();
  const x = Float32Array.from({ length: n * d }, () => r.normal());
  const t = task === 'classification' ? oneHot([0, 1, 1, 0, 1, 0], 2) : Float32Array.from({ length: n * m }, () => r.normal());
  const g = net.gradients(x, t, n);
  const eps = 1e-3;
  const check = (analytic: number, get: () => number, set: (v: number) => void, what: string) => {
    const v = get();
    set(v + eps);
    const lp = net.loss(x, t, n);
    set(v - eps);
    const lm = net.loss(x, t, n);
    set(v);
    const numeric = (lp - lm) / (2 * eps);
    assert.ok(Math.abs(numeric - analytic) < 1e-4 + 1e-3 * Math.abs(numeric), `${task} ${what}: ${analytic} vs ${numeric}`);
  };
  for (let q = 0; q < net.weights.length; q++) check(g.weights[q], () => net.weights[q], (v) => (net.weights[q] = v), `w${q}`);
  for (let j = 0; j < k; j++) check(g.spreads[j], () => net.spreads[j], (v) => (net.spreads[j] = v), `s${j}`);
  // centres are Float32: perturb by an exactly representable step around a value rounded to float32
  const c = net.prototypes.data;
  for (let q = 0; q < k * d; q++) {
    const h = 1 / 512;
    const v = c[q];
    c[q] = v + h;
    const lp = net.loss(x, t, n);
    c[q] = v - h;
    const lm = net.loss(x, t, n);
    c[q] = v;
    const numeric = (lp - lm) / (2 * h);
    assert.ok(Math.abs(numeric - g.centres[q]) < 1e-4 + 2e-3 * Math.abs(numeric), `${task} c${q}: ${g.centres[q]} vs ${numeric}`);
  }
}

test('fully supervised RBF gradients match finite differences (regression and classification)', () => {
  gradCheck('regression');
  gradCheck('classification');
});

test('fully supervised training lowers the loss, keeps frozen centres, resumes from state', () => {
  const { x, labels, n } = xor(10, 4);
  const t = oneHot(labels, 2);
  const net = new RbfNetwork({ dim: 2, outputs: 2, task: 'classification', seed: 9 });
  trainCentres(net, x, n, { k: 4 });
  trainSpreads(net, x, n, 'nearest', 0.5);
  net.prototypes.setFrozen(0, true);
  const c0 = net.prototype(0);
  const before = net.loss(x, t, n);
  const st = structuredClone(net.toState());
  const losses = trainSupervised(net, x, t, n, { epochs: 30, rate: 0.5, batch: 8 });
  assert.ok(losses[29] < before / 4, `${before} -> ${losses[29]}`);
  assert.deepEqual(net.prototype(0), c0);
  const again = RbfNetwork.fromState(st);
  trainSupervised(again, x, t, n, { epochs: 30, rate: 0.5, batch: 8 });
  assert.deepEqual(again.weights, net.weights);
  assert.deepEqual(again.prototypes.data, net.prototypes.data);
});

test('RBF centre edits: add and remove keep weights aligned; reassignment matches nearest centre', () => {
  const { x, n } = xor(5, 6);
  const net = new RbfNetwork({ dim: 2, outputs: 1 });
  trainCentres(net, x, n, { k: 3 });
  trainSpreads(net, x, n);
  const ed = new PrototypeEditor(net, x, n);
  net.weights.set([1, 2, 3, 9]);
  ed.add(Float32Array.of(0.5, 0.5));
  assert.deepEqual([...net.weights], [1, 2, 3, 0, 9]);
  ed.remove(1);
  assert.deepEqual([...net.weights], [1, 3, 0, 9]);
  assert.equal(net.spreads.length, 3);
  assert.deepEqual(ed.labels, Int32Array.from({ length: n }, (_, i) => net.nearestUnit(x, 2 * i)));
});
