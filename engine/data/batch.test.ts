import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { channelStats, fillBatch, fillLabels } from './batch.js';
import type { ImageSet } from './folder.js';
import { UNIT } from './normalize.js';

// three 2-channel 1x2 images: image k has pixels [k*10+1, k*10+2 | k*10+3, k*10+4]
const set: ImageSet = {
  n: 3,
  channels: 2,
  height: 1,
  width: 2,
  pixels: Uint8Array.from([1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24]),
  labels: Int32Array.from([5, 6, -1]),
  classes: [],
  paths: ['a', 'b', 'c'],
};

describe('fillBatch', () => {
  it('gathers the chosen images in order, normalized, and writes nothing past the batch', () => {
    const out = new Float32Array(12).fill(-7);
    fillBatch(set, Int32Array.from([0, 2, 1]), 1, 2, UNIT, out);
    const expected = [21, 22, 23, 24, 11, 12, 13, 14].map((v) => Math.fround(v / 255));
    assert.deepEqual([...out.subarray(0, 8)], expected);
    assert.deepEqual([...out.subarray(8)], [-7, -7, -7, -7]);
  });

  it('symmetric and standard normalizations, per channel', () => {
    const out = new Float32Array(4);
    fillBatch(set, Int32Array.from([1]), 0, 1, { kind: 'symmetric' }, out);
    assert.deepEqual([...out], [11, 12, 13, 14].map((v) => Math.fround(v / 127.5 - 1)));
    fillBatch(set, Int32Array.from([1]), 0, 1, { kind: 'standard', mean: [0.1, 0.2], std: [0.5, 0.25] }, out);
    assert.deepEqual([...out], [Math.fround((11 / 255 - 0.1) / 0.5), Math.fround((12 / 255 - 0.1) / 0.5), Math.fround((13 / 255 - 0.2) / 0.25), Math.fround((14 / 255 - 0.2) / 0.25)]);
  });

  it('refuses out-of-range requests and a short buffer', () => {
    assert.throws(() => fillBatch(set, Int32Array.from([0, 1]), 1, 2, UNIT, new Float32Array(8)), /outside the 2 indices/);
    assert.throws(() => fillBatch(set, Int32Array.from([3]), 0, 1, UNIT, new Float32Array(4)), /index 3 is outside the set of 3/);
    assert.throws(() => fillBatch(set, Int32Array.from([0, 1]), 0, 2, UNIT, new Float32Array(7)), /needs 8/);
    assert.throws(() => fillBatch(set, Int32Array.from([0]), 0, 1, { kind: 'standard', mean: [0], std: [1] }, new Float32Array(4)), /per channel/);
  });
});

describe('fillLabels and channelStats', () => {
  it('labels of the same images', () => {
    const out = new Int32Array(3).fill(9);
    fillLabels(set, Int32Array.from([2, 0]), 0, 2, out);
    assert.deepEqual([...out], [-1, 5, 9]);
  });

  it('per-channel mean and std of p / 255: worked values', () => {
    // channel 0 of images 0 and 1: 1, 2, 11, 12 -> mean 6.5, variance ((5.5^2 + 4.5^2) * 2) / 4 = 25.25
    const s = channelStats(set, Int32Array.from([0, 1]));
    assert.ok(Math.abs(s.mean[0] - 6.5 / 255) < 1e-12);
    assert.ok(Math.abs(s.std[0] - Math.sqrt(25.25) / 255) < 1e-12);
    assert.ok(Math.abs(s.mean[1] - 8.5 / 255) < 1e-12);
  });
});
