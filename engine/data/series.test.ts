import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import type { ImageSet } from './folder.js';
import { chwToRows, imageRows, makeSeries, seriesSpec, sineFrequency } from './series.js';

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

test('generated series are seeded, shaped [n, steps, features] and balanced by class', () => {
  for (const name of ['sines', 'next', 'memory', 'adding'] as const) {
    const spec = seriesSpec(name);
    const a = makeSeries(spec, 30, new Rng(7));
    const b = makeSeries(spec, 30, new Rng(7));
    assert.deepEqual(a.x, b.x, `${name} repeats with the seed`);
    assert.notDeepEqual(makeSeries(spec, 30, new Rng(8)).x, a.x, `${name} changes with the seed`);
    assert.equal(a.x.length, 30 * a.steps * a.features);
    assert.equal(a.steps, spec.steps);
    if (a.labels) {
      assert.equal(a.task, 'classify');
      assert.deepEqual(Array.from(a.labels.subarray(0, 6)), Array.from({ length: 6 }, (_, i) => i % a.outputs));
      assert.equal(a.classes.length, a.outputs);
    } else {
      assert.equal(a.task, 'regress');
      assert.equal(a.targets!.length, 30);
    }
  }
});

test('memory: the code and the flag at step 0, noise on the code channels only afterwards', () => {
  const s = makeSeries(seriesSpec('memory', { steps: 6, classes: 3, noise: 0.5 }), 6, new Rng(1));
  assert.equal(s.features, 4);
  for (let i = 0; i < 6; i++) {
    const o = i * 6 * 4;
    assert.deepEqual(Array.from(s.x.subarray(o, o + 4)), [0, 1, 2].map((c) => (c === s.labels![i] ? 1 : 0)).concat(1));
    for (let t = 1; t < 6; t++) assert.equal(s.x[o + t * 4 + 3], 0, 'flag off after step 0');
  }
  const noise = Array.from(s.x).filter((_, j) => j % 24 >= 4 && j % 4 !== 3);
  const std = Math.sqrt(noise.reduce((a, v) => a + v * v, 0) / noise.length);
  assert.ok(std > 0.3 && std < 0.7, `noise std ${std}`);
});

test('adding: the target is the sum of the two marked values, one marked in each half', () => {
  const s = makeSeries(seriesSpec('adding', { steps: 10 }), 20, new Rng(3));
  for (let i = 0; i < 20; i++) {
    const marked: number[] = [];
    let sum = 0;
    for (let t = 0; t < 10; t++) {
      if (s.x[(i * 10 + t) * 2 + 1] === 1) {
        marked.push(t);
        sum += s.x[(i * 10 + t) * 2];
      }
    }
    assert.equal(marked.length, 2);
    assert.ok(marked[0] < 5 && marked[1] >= 5);
    assert.ok(Math.abs(sum - s.targets![i]) < 1e-6);
  }
});

test('sines: without noise each class is a sine of its period; next: the target continues the sequence', () => {
  const s = makeSeries(seriesSpec('sines', { steps: 40, classes: 3, noise: 0 }), 3, new Rng(2));
  for (let k = 0; k < 3; k++) {
    const w = sineFrequency(k, 3);
    const x = s.x.subarray(k * 40, (k + 1) * 40);
    // a sine obeys x[t+1] + x[t-1] = 2 cos(w) x[t]
    for (let t = 1; t < 39; t++) assert.ok(Math.abs(x[t + 1] + x[t - 1] - 2 * Math.cos(w) * x[t]) < 1e-5);
  }
  assert.deepEqual(s.classes, ['period 4', 'period 8', 'period 16']);
  const n = makeSeries(seriesSpec('next', { steps: 8, noise: 0 }), 5, new Rng(4));
  for (let i = 0; i < 5; i++) {
    const x = n.x.subarray(i * 8, i * 8 + 8);
    const c = (x[6] + x[4]) / (2 * x[5]); // cos(w) from three steps
    assert.ok(Math.abs(n.targets![i] - (2 * c * x[7] - x[6])) < 1e-3);
  }
});

test('bad options are refused with a reason', () => {
  assert.throws(() => seriesSpec('chaos' as never), /unknown set "chaos"/);
  assert.throws(() => seriesSpec('memory', { classes: 1 }), /at least 2 classes/);
  assert.throws(() => seriesSpec('sines', { steps: 1 }), /steps must be an integer from 2/);
  assert.throws(() => seriesSpec('next', { noise: -1 }), /noise must be in/);
  const s = makeSeries(seriesSpec('memory', { steps: 4 }), 3, new Rng(1));
  assert.throws(() => s.fill(Int32Array.of(0, 3), 0, 2, new Float32Array(100)), /index 3 is outside the set of 3/);
  assert.throws(() => s.fill(all(3), 0, 3, new Float32Array(5)), /out holds 5 floats/);
});

function tinySet(channels: 1 | 3): ImageSet {
  const n = 2;
  const h = 3;
  const w = 2;
  return {
    n,
    channels,
    height: h,
    width: w,
    pixels: Uint8Array.from({ length: n * channels * h * w }, (_, i) => i),
    labels: Int32Array.of(0, 1),
    classes: ['a', 'b'],
    paths: ['a.png', 'b.png'],
  };
}

test('image rows: one row a step; grayscale rows are the pixels in order, RGB rows interleave the channels', () => {
  const g = imageRows(tinySet(1), { kind: 'unit' });
  assert.equal(g.steps, 3);
  assert.equal(g.features, 2);
  const out = new Float32Array(12);
  g.fill(Int32Array.of(1, 0), 0, 2, out);
  assert.deepEqual(Array.from(out, (v) => Math.round(v * 255)), [6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5]);
  const c = imageRows(tinySet(3), { kind: 'unit' });
  assert.equal(c.features, 6);
  const rgb = new Float32Array(18);
  c.fill(Int32Array.of(0), 0, 1, rgb);
  // pixel (y, x) channel ch of image 0 sits at ch*6 + y*2 + x in CHW
  const want: number[] = [];
  for (let y = 0; y < 3; y++) for (let x = 0; x < 2; x++) for (let ch = 0; ch < 3; ch++) want.push(ch * 6 + y * 2 + x);
  assert.deepEqual(Array.from(rgb, (v) => Math.round(v * 255)), want);
  const direct = new Float32Array(18);
  chwToRows(Float32Array.from({ length: 18 }, (_, i) => i), 1, 3, 3, 2, direct);
  assert.deepEqual(Array.from(direct), want);
});
