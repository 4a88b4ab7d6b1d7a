/* eslint-disable @typescript-eslint/no-explicit-any -- tests edit parsed JSON files freely */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { Art2a } from '../local/art2a.js';
import { FuzzyArt } from '../local/fuzzy-art.js';
import { OnlineKMeans } from '../local/kmeans.js';
import { MixtureOfExperts } from '../local/moe.js';
import { oneHot, RbfNetwork } from '../local/rbf.js';
import { trainHybrid, trainSupervised } from '../local/rbf-train.js';
import { RulesAndExceptions } from '../local/rules.js';
import { Som } from '../local/som.js';
import { artFromFile, artToFile } from './art.js';
import { ModelFileError } from './errors.js';
import type { ModelFile } from './format.js';
import { kmeansFromFile, kmeansToFile } from './kmeans.js';
import { moeFromFile, moeToFile } from './moe.js';
import { parseModel } from './parse.js';
import { rbfFromFile, rbfToFile } from './rbf.js';
import { somFromFile, somToFile } from './som.js';

const training = { seed: 3, settings: { algo: 'test' }, history: [{ epoch: 1, inertia: 2.5 }] };
const data = { input: { channels: 1, height: 2, width: 3 }, normalization: { kind: 'unit' as const }, classes: ['a', 'b'] };

function unitData(n: number, d: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n * d }, () => r.next());
}

/** Through JSON text and every import check, as a file on disk would go. */
function reload(file: ModelFile): ModelFile {
  return parseModel(JSON.stringify(file));
}

function refused(file: ModelFile, edit: (m: Record<string, any>) => void, reason: RegExp): void {
  const copy = JSON.parse(JSON.stringify(file)) as ModelFile & { model: Record<string, any> };
  edit(copy.model);
  assert.throws(() => parseModel(JSON.stringify(copy)), (e: unknown) => e instanceof ModelFileError && reason.test(e.reason), String(reason));
}

/** A float64 tensor's data with value i replaced by v. */
function poke64(data: string, i: number, v: number): string {
  const b = Buffer.from(data, 'base64');
  b.writeDoubleLE(v, 8 * i);
  return b.toString('base64');
}

const d = 6;
const n = 90;
const x = unitData(n, d, 1);

test('k-means: round trip, resume mid-epoch continues exactly, tampering refused', () => {
  const a = new OnlineKMeans({ k: 4, dim: d, seed: 7, rate: 0.2 });
  a.init(x, n);
  a.prototypes.setFrozen(1, true);
  for (let s = 0; s < 130; s++) a.step(x, n); // stops inside the second epoch
  const file = kmeansToFile({ model: a, data, training });
  const back = kmeansFromFile(reload(file));
  assert.deepEqual(back.model.toState(), a.toState());
  assert.deepEqual(back.data, data);
  assert.deepEqual(back.training, training);
  for (let s = 0; s < 200; s++) {
    a.step(x, n);
    back.model.step(x, n);
  }
  assert.deepEqual(back.model.prototypes.data, a.prototypes.data);
  assert.deepEqual(back.model.counts, a.counts);

  refused(file, (m) => (m.prototypes.shape = [4, 5]), /prototypes: shape \[4, 5\], expected \[count, 1, 2, 3\]/);
  refused(file, (m) => (m.prototypes.data = m.prototypes.data.slice(4)), /prototypes: data has \d+ base64 characters/);
  refused(file, (m) => (m.counts = [1, 2]), /counts: 2 entries for 4 prototypes/);
  refused(file, (m) => (m.config.k = 10_000_000), /config: k x dim: 60000000 values, at most 16777216 allowed/);
  refused(file, (m) => (m.frozen = [9]), /frozen: index 9 is out of range/);
  refused(file, (m) => (m.input = { channels: 1, height: 5, width: 5 }), /input: images of 1x5x5 = 25 values, the model takes 6/);
  refused(file, (m) => (m.order.pos = 10000), /order.pos 10000 is past the end/);
  refused(file, (m) => (m.order.rng.s = [0, 0, 0, 0]), /all zeros/);
  refused(file, (m) => (m.config.rate = 2), /model.config.rate/);
  refused(file, (m) => (m.extra = 1), /unexpected field model.extra/);
  refused(file, (m) => (m.classes = ['a', 'a']), /class "a" is listed twice/);
  // A permutation with a repeated index.
  const perm = Buffer.from(file.model.order.perm!.data, 'base64');
  perm.writeInt32LE(perm.readInt32LE(4), 0);
  refused(file, (m) => (m.order.perm.data = perm.toString('base64')), /not a permutation/);
  // A NaN centroid value.
  const bad = Buffer.from(file.model.prototypes!.data, 'base64');
  bad.writeFloatLE(Number.NaN, 8);
  refused(file, (m) => (m.prototypes.data = bad.toString('base64')), /prototypes: value 2 is NaN/);
});

test('Fuzzy ART and ART-2A: round trip, exact resume, variant-specific checks', () => {
  const fa = new FuzzyArt({ dim: d, rho: 0.7, beta: 0.5, seed: 2 });
  for (let s = 0; s < 50; s++) fa.step(x, n);
  const a2 = new Art2a({ dim: d, rho: 0.95, seed: 4 });
  for (let s = 0; s < 50; s++) a2.step(x, n);
  for (const m of [fa, a2]) {
    const file = artToFile({ model: m, training });
    const back = artFromFile(reload(file)).model;
    assert.deepEqual(back.toState(), m.toState());
    for (let s = 0; s < 150; s++) {
      m.step(x, n);
      back.step(x, n);
    }
    assert.deepEqual(back.prototypes.data, m.prototypes.data);
    assert.equal(back.prototypes.count, m.prototypes.count);
  }
  const ffile = artToFile({ model: fa, training });
  assert.equal(ffile.model.variant, 'fuzzy');
  const w = Buffer.from(ffile.model.prototypes!.data, 'base64');
  w.writeFloatLE(1.5, 0);
  refused(ffile, (m) => (m.prototypes.data = w.toString('base64')), /Fuzzy ART weight 0 is 1.5, outside \[0, 1\]/);
  refused(ffile, (m) => (m.variant = 'art2a'), /missing field config.theta/);
  refused(ffile, (m) => (m.prototypes.shape = [m.prototypes.shape[0], d]), /expected \[count, 2, 6\]/);
  refused(ffile, (m) => (m.vigilance = 1.2), /model.vigilance/);
  const afile = artToFile({ model: a2, training });
  assert.equal(afile.model.variant, 'art2a');
  const u = Buffer.from(afile.model.prototypes!.data, 'base64');
  u.writeFloatLE(3, 0);
  refused(afile, (m) => (m.prototypes.data = u.toString('base64')), /ART-2A category 0 has length/);
  refused(afile, (m) => (m.config.maxCategories = 1), /categories, the limit is 1/);
});

test('SOM: round trip keeps the schedules where they were; tampered lattices refused', () => {
  const a = new Som({ dim: d, width: 3, height: 2, topology: 'hexagonal', seed: 5, rate: { kind: 'linear', start: 0.5, end: 0.01, total: 300 } });
  a.init(x, n, 'sample');
  a.prototypes.setFrozen(4, true);
  for (let s = 0; s < 100; s++) a.step(x, n);
  const file = somToFile({ model: a, data: { classes: ['a', 'b', 'c'] }, training });
  const back = somFromFile(reload(file)).model;
  assert.deepEqual(back.toState(), a.toState());
  assert.deepEqual(back.current(), a.current());
  for (let s = 0; s < 150; s++) {
    a.step(x, n);
    back.step(x, n);
  }
  assert.deepEqual(back.prototypes.data, a.prototypes.data);
  assert.deepEqual(back.errors(x, n), a.errors(x, n));
  refused(file, (m) => (m.config.width = 4), /prototypes: 6 rows, the model has 8/);
  refused(file, (m) => (m.hits = [1]), /hits: 1 entries for 6 prototypes/);
  refused(file, (m) => (m.config.rate.kind = 'sometimes'), /model.config.rate.kind must be one of/);
  refused(file, (m) => (m.config.width = 5000), /at most 4096 units/);
});

test('RBF network: round trip, supervised training resumes exactly; spreads and weights checked', () => {
  const labels = Int32Array.from({ length: n }, (_, i) => (x[i * d] > 0.5 ? 1 : 0));
  const t = oneHot(labels, 2);
  const make = () => {
    const net = new RbfNetwork({ dim: d, outputs: 2, task: 'classification', seed: 9 });
    trainHybrid(net, x, t, n, { k: 5 });
    return net;
  };
  const a = make();
  const b = make();
  trainSupervised(a, x, t, n, { epochs: 2, rate: 0.1 });
  trainSupervised(b, x, t, n, { epochs: 1, rate: 0.1 });
  const file = rbfToFile({ model: b, data, training });
  const loaded = rbfFromFile(reload(file));
  assert.equal(loaded.variant, 'network');
  const c = loaded.model as RbfNetwork;
  assert.deepEqual(c.toState(), b.toState());
  trainSupervised(c, x, t, n, { epochs: 1, rate: 0.1 });
  assert.deepEqual(c.toState(), a.toState());
  assert.deepEqual([...c.predict(x, 0)], [...a.predict(x, 0)]);

  refused(file, (m) => (m.spreads.data = poke64(m.spreads.data, 1, -2)), /spreads: unit 1 has spread -2/);
  // 2 s^2 must stay finite and above 0: a spread of 1e-300 gave 0/0 = NaN at a centre.
  refused(file, (m) => (m.spreads.data = poke64(m.spreads.data, 1, 1e-300)), /spreads: unit 1 has spread 1e-300; spreads must be between 1e-100 and 1e\+100/);
  refused(file, (m) => (m.weights.shape = [5, 2]), /weights: shape \[5, 2\], expected \[6, 2\]/);
  refused(file, (m) => (m.weights.data = poke64(m.weights.data, 0, Number.POSITIVE_INFINITY)), /weights: value 0 is Infinity/);
  refused(file, (m) => (m.classes = ['a', 'b', 'c']), /3 class names for 2 outputs/);
  refused(file, (m) => (m.threshold = 0.1), /belong to the "rules" variant/);
  refused(file, (m) => delete m.spreads, /missing field spreads/);
});

test('rules and exceptions: round trip gives the same answers and explanations', () => {
  const r = new Rng(3);
  const m = 300;
  const xs = Float32Array.from({ length: 2 * m }, () => r.uniform(-1, 1));
  const ts = Float32Array.from({ length: m }, (_, i) => 2 * xs[2 * i] + (Math.hypot(xs[2 * i] - 0.5, xs[2 * i + 1] - 0.5) < 0.2 ? 3 : 0));
  const model = RulesAndExceptions.fit(xs, ts, m, 2, 1, { rule: 'linear', units: 3 });
  const file = rbfToFile({ model, training });
  const loaded = rbfFromFile(reload(file));
  assert.equal(loaded.variant, 'rules');
  const back = loaded.model as RulesAndExceptions;
  for (let i = 0; i < m; i += 7) {
    assert.deepEqual([...back.predict(xs, 2 * i)], [...model.predict(xs, 2 * i)]);
    assert.deepEqual(back.explain(xs, 2 * i), model.explain(xs, 2 * i));
  }
  refused(file, (mm) => (mm.rule.weights.shape = [2, 1]), /rule.weights: shape \[2, 1\], expected \[3, 1\]/);
  refused(file, (mm) => delete mm.threshold, /needs rule and threshold/);
});

test('mixture of experts: round trip, resumed training equals uninterrupted training; shapes checked', () => {
  const t = Float32Array.from({ length: n * 2 }, (_, i) => x[i]);
  const a = new MixtureOfExperts({ dim: d, outputs: 2, experts: 3, mode: 'competitive', seed: 4 });
  const b = new MixtureOfExperts({ dim: d, outputs: 2, experts: 3, mode: 'competitive', seed: 4 });
  a.train(x, t, n, { epochs: 2, rate: 0.1 });
  b.train(x, t, n, { epochs: 1, rate: 0.1 });
  const file = moeToFile({ model: b, data: { classes: ['u', 'v'] }, training });
  const c = moeFromFile(reload(file)).model;
  assert.deepEqual(c.toState(), b.toState());
  c.train(x, t, n, { epochs: 1, rate: 0.1 });
  assert.deepEqual(c.toState(), a.toState());
  refused(file, (m) => (m.gate.shape = [3, d + 1]), /gate: shape \[3, 7\], the settings need \[7, 3\]/);
  refused(file, (m) => (m.config.experts = 4), /experts: shape \[3, 7, 2\], the settings need \[4, 7, 2\]/);
  refused(file, (m) => (m.config.mode = 'friendly'), /model.config.mode must be one of/);
  refused(file, (m) => (m.experts.data = poke64(m.experts.data, 5, Number.NaN)), /experts: value 5 is NaN/);
});
