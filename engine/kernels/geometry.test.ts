import assert from 'node:assert/strict';
import { test } from 'node:test';
import { padAmounts, squareWindow, transposedWindow, windowGeom } from './geometry.js';

test("'same' padding gives ceil(size/stride) outputs with the extra pixel after", () => {
  assert.deepEqual(padAmounts('same', 5, 3, 1), [1, 1]);
  assert.deepEqual(padAmounts('same', 6, 3, 2), [0, 1]); // out 3: (3-1)*2 + 3 - 6 = 1
  assert.deepEqual(padAmounts('same', 7, 4, 1), [1, 2]);
  assert.deepEqual(padAmounts('valid', 7, 4, 1), [0, 0]);
  for (const [size, k, s] of [[5, 3, 1], [6, 3, 2], [7, 3, 2], [28, 5, 1], [9, 2, 3]]) {
    const g = squareWindow(1, size, size, k, s, 'same');
    assert.equal(g.outH, Math.ceil(size / s), `size ${size} k ${k} s ${s}`);
  }
});

test("'valid' output sizes and dilation", () => {
  const g = squareWindow(3, 28, 20, 5, 1, 'valid');
  assert.deepEqual([g.outH, g.outW], [24, 16]);
  const d = squareWindow(1, 10, 10, 3, 1, 'valid', 2); // span 5
  assert.deepEqual([d.outH, d.outW], [6, 6]);
  const s = windowGeom({ channels: 1, height: 7, width: 8, kernelH: 3, kernelW: 2, strideH: 2, strideW: 3, padTop: 1, padBottom: 1 });
  assert.deepEqual([s.outH, s.outW], [4, 3]);
});

test('windows that do not fit, and non-integer sizes, are refused with a reason', () => {
  assert.throws(() => squareWindow(1, 3, 3, 5, 1, 'valid'), /does not fit/);
  assert.throws(() => windowGeom({ channels: 1, height: 4, width: 4, kernelH: 1.5, kernelW: 1 }), /kernelH must be a positive integer/);
  assert.throws(() => windowGeom({ channels: 1, height: 4, width: 4, kernelH: 1, kernelW: 1, padTop: -1 }), /padTop/);
});

test('transposed conv output sizes: valid, same, outputPadding', () => {
  const v = transposedWindow(4, 5, 6, 3, 2, 'valid');
  assert.deepEqual([v.height, v.width], [11, 13]); // (in-1)*2 + 3
  const s = transposedWindow(4, 7, 7, 4, 2, 'same');
  assert.deepEqual([s.height, s.width], [14, 14]); // in * stride
  const p = transposedWindow(4, 7, 7, 3, 2, 'same', 1);
  assert.deepEqual([p.height, p.width], [15, 15]);
  assert.equal(p.channels, 4);
  assert.throws(() => transposedWindow(4, 7, 7, 3, 2, 'same', 2), /outputPadding/);
});
