import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../core/rng.js';
import { splitIndices } from './split.js';

const sorted = (a: Int32Array): number[] => [...a].sort((x, y) => x - y);

describe('splitIndices', () => {
  it('is a partition of 0..n-1 with round(n * f) in validation', () => {
    const { train, val } = splitIndices(103, 0.2, new Rng(1));
    assert.equal(val.length, 21);
    assert.equal(train.length, 82);
    assert.deepEqual(sorted(Int32Array.from([...train, ...val])), Array.from({ length: 103 }, (_, i) => i));
  });

  it('the same seed gives the same split, another seed another one', () => {
    const labels = Int32Array.from({ length: 200 }, (_, i) => i % 3);
    const a = splitIndices(200, 0.25, new Rng(42), labels);
    const b = splitIndices(200, 0.25, new Rng(42), labels);
    const c = splitIndices(200, 0.25, new Rng(43), labels);
    assert.deepEqual(a, b);
    assert.notDeepEqual(sorted(a.val), sorted(c.val));
  });

  it('stratified: each class gives its share; worked case with remainders', () => {
    // class sizes 10, 7, 3 (and 2 unlabeled), f = 0.3, n = 22: nVal = round(6.6) = 7
    // exact shares 3, 2.1, 0.9, 0.6 -> floors 3, 2, 0, 0 = 5; remainders .9 (class 2) and .6 (-1) get one each
    const labels = Int32Array.from([...new Array(10).fill(0), ...new Array(7).fill(1), ...new Array(3).fill(2), -1, -1]);
    const { train, val } = splitIndices(22, 0.3, new Rng(5), labels);
    const count = (idx: Int32Array, l: number) => [...idx].filter((i) => labels[i] === l).length;
    assert.deepEqual([-1, 0, 1, 2].map((l) => count(val, l)), [1, 3, 2, 1]);
    assert.deepEqual([-1, 0, 1, 2].map((l) => count(train, l)), [1, 7, 5, 2]);
  });

  it('a rare class is not lost by chance: 1000 splits all keep its share', () => {
    const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 5 ? 1 : 0));
    for (let seed = 0; seed < 1000; seed++) {
      const { val } = splitIndices(100, 0.2, new Rng(seed), labels);
      assert.equal([...val].filter((i) => labels[i] === 1).length, 1);
    }
  });

  it('orders are shuffled (not just sorted indices)', () => {
    const { train } = splitIndices(50, 0.2, new Rng(3));
    assert.notDeepEqual([...train], sorted(train));
  });

  it('edge cases and bad input', () => {
    assert.deepEqual(splitIndices(0, 0.2, new Rng(1)), { train: new Int32Array(0), val: new Int32Array(0) });
    assert.equal(splitIndices(10, 0, new Rng(1)).val.length, 0);
    assert.equal(splitIndices(10, 1, new Rng(1)).train.length, 0);
    assert.throws(() => splitIndices(10, 1.5, new Rng(1)), /valFraction/);
    assert.throws(() => splitIndices(-1, 0.1, new Rng(1)), /n must be/);
    assert.throws(() => splitIndices(3, 0.1, new Rng(1), new Int32Array(2)), /2 labels for 3 items/);
  });
});
