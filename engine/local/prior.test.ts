import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { OnlineKMeans } from './kmeans.js';
import { rbfFromRules, rulesFromSeeds, seedPrototypes } from './prior.js';
import { oneHot } from './rbf.js';
import { trainSupervised } from './rbf-train.js';

function twoClasses(per: number, seed: number) {
  const r = new Rng(seed);
  const x = new Float32Array(4 * per);
  const labels: number[] = [];
  for (let i = 0; i < 2 * per; i++) {
    const c = i % 2;
    x[2 * i] = (c ? 2 : -2) + 0.8 * r.normal();
    x[2 * i + 1] = (c ? 1 : -1) + 0.8 * r.normal();
    labels.push(c);
  }
  return { x, labels, n: 2 * per };
}

test('rules from seed points: radius is half the distance to the nearest seed of another class', () => {
  // seeds at (0,0) class 0, (3,4) class 1, (0,1) class 0: seed 0's nearest other-class seed is 5 away -> 2.5;
  // seed 2's is |(3,3)| = 4.243 away -> 2.121.
  const rules = rulesFromSeeds(Float32Array.of(0, 0, 3, 4, 0, 1), [0, 1, 0], 3, 2);
  assert.equal(rules[0].radius, 2.5);
  assert.ok(Math.abs(rules[2].radius - 0.5 * Math.sqrt(18)) < 1e-9);
  assert.equal(rules[1].radius, 0.5 * Math.sqrt(18));
});

test('an RBF network built from rules classifies before training and improves with fine-tuning', () => {
  const { x, labels, n } = twoClasses(60, 1);
  const t = oneHot(labels, 2);
  const rules = [
    { label: 0, centre: Float32Array.of(-1.5, -1.5), radius: 1.5 },
    { label: 1, centre: Float32Array.of(1.5, 1.5), radius: 1.5 },
  ];
  const net = rbfFromRules(rules, { dim: 2, classes: 2, freeze: true });
  // at a rule's centre its unit has activity 1 and the logit 4 -> p = e^4 / (e^4 + e^(4 e^-2)) ... > 0.9
  assert.ok(net.predict(Float32Array.of(-1.5, -1.5))[0] > 0.9);
  const acc = () => labels.filter((l, i) => net.predictClass(x, 2 * i) === l).length / n;
  const before = { acc: acc(), loss: net.loss(x, t, n) };
  assert.ok(before.acc > 0.8, `accuracy from the rules alone ${before.acc}`);
  trainSupervised(net, x, t, n, { epochs: 20, rate: 0.3 });
  assert.ok(net.loss(x, t, n) < before.loss, `${before.loss} -> ${net.loss(x, t, n)}`);
  assert.ok(acc() >= before.acc);
  assert.deepEqual([...net.prototype(0)], [-1.5, -1.5]); // frozen rule centres stay
});

test('seed points become the first k-means centroids and can be frozen', () => {
  const { x, n } = twoClasses(20, 2);
  const km = new OnlineKMeans({ k: 3, dim: 2, rate: 0.2 });
  seedPrototypes(km, Float32Array.of(-2, -1, 2, 1), 2, true);
  km.addPrototype(Float32Array.of(0, 0));
  km.train(x, n, 2);
  assert.deepEqual([...km.prototype(0), ...km.prototype(1)], [-2, -1, 2, 1]);
  assert.notDeepEqual([...km.prototype(2)], [0, 0]);
});
