import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clipGradNorm, gradNorm } from './index.js';
import { param } from './testkit.js';

test('global norm over all params: sqrt(3^2 + 4^2 + 12^2) = 13', () => {
  const ps = [param('a', [0, 0], [3, 4]), param('b', [0], [12])];
  assert.equal(gradNorm(ps), 13);
});

test('clipping to 6.5 halves every gradient and returns the norm before clipping', () => {
  const ps = [param('a', [0, 0], [3, 4]), param('b', [0], [12])];
  assert.equal(clipGradNorm(ps, 6.5), 13);
  assert.deepEqual(Array.from(ps[0].grad), [1.5, 2]);
  assert.deepEqual(Array.from(ps[1].grad), [6]);
  assert.equal(gradNorm(ps), 6.5);
});

test('a norm at or under the limit leaves gradients alone', () => {
  for (const max of [13, 100]) {
    const ps = [param('a', [0, 0], [3, 4]), param('b', [0], [12])];
    assert.equal(clipGradNorm(ps, max), 13);
    assert.deepEqual(Array.from(ps[0].grad), [3, 4]);
    assert.deepEqual(Array.from(ps[1].grad), [12]);
  }
});

test('pruned entries do not count toward the norm', () => {
  const ps = [param('a', [0, 0, 0], [3, 4, 100], { mask: [1, 1, 0] })];
  assert.equal(gradNorm(ps), 5);
});

test('a non-finite norm is returned and the gradients are left as they are', () => {
  const ps = [param('a', [0, 0], [Number.NaN, 4])];
  assert.ok(Number.isNaN(clipGradNorm(ps, 1)));
  assert.equal(ps[0].grad[1], 4);
  assert.throws(() => clipGradNorm(ps, 0), /maxNorm must be > 0/);
});
