import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contingency } from './contingency.js';

test('purity on a hand-worked case (Manning et al. figure 16.4: 5 + 4 + 3 of 17 = 0.71)', () => {
  // cluster 0: x x x x x o (5 x, 1 o); cluster 1: x o o o o d (1 x, 4 o, 1 d); cluster 2: x x d d d (2 x, 3 d)
  const clusters = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
  const classes = Int32Array.from([0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 2, 0, 0, 2, 2, 2]);
  const r = contingency(clusters, classes, 3, 3);
  assert.deepEqual(r.table, [[5, 1, 0], [1, 4, 1], [2, 0, 3]]);
  assert.deepEqual(r.majority, [0, 1, 2]);
  assert.equal(r.purity, 12 / 17);
});

test('unassigned samples count against purity, unlabelled ones are left out', () => {
  const r = contingency(Int32Array.from([0, -1, 1, 1]), Int32Array.from([1, 1, -1, 0]), 2, 2);
  assert.equal(r.labelled, 3);
  assert.equal(r.unassigned, 1);
  assert.equal(r.purity, 2 / 3);
  assert.deepEqual(r.majority, [1, 0]);
  assert.throws(() => contingency(Int32Array.from([2]), Int32Array.from([0]), 2, 2), /cluster 2/);
});
