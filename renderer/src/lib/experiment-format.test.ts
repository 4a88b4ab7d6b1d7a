/* eslint-disable no-restricted-imports -- the unit tests of renderer logic run under Node (scripts/unit.mjs) */
/**
 * The Experiments view's figures in words: shares as percentages, tiny gradient norms in exponent
 * form, the history figures offered for the curves, traces on shared axes, pictures as pixels.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExperimentTrace } from '../../../engine/protocol/experiments.js';
import { exportName, figureName, formatFigure, formatSeconds, gridShape, historyMetrics, historyPoints, niceAbove, niceBelow, pictureRgba, sharedRange, traceKinds, tracePoints } from './experiment-format.js';

test('shares are percentages, tiny and huge numbers exponents, counts integers, the rest a few digits', () => {
  assert.equal(formatFigure('valAcc', 0.8123), '81.2%');
  assert.equal(formatFigure('purity', 1), '100.0%');
  assert.equal(formatFigure('dead', 0), '0.0%');
  assert.equal(formatFigure('gradFirst', 7.1e-7), '7.1e-7');
  assert.equal(formatFigure('gradFirst', 0.93), '0.93');
  assert.equal(formatFigure('params', 203530), '203,530');
  assert.equal(formatFigure('work', 280166400), '2.8e+8');
  assert.equal(formatFigure('categories', 12), '12');
  assert.equal(formatFigure('trainLoss', 1.23456), '1.23');
  assert.equal(formatFigure('inertia', 345.6), '346');
  assert.equal(formatFigure('trainLoss', 0.04567), '0.046');
  assert.equal(formatFigure('update1', -0.0002), '-2.0e-4');
  assert.equal(formatFigure('valAcc', null), '–');
  assert.equal(formatFigure('trainLoss', Number.NaN), '–');
  assert.equal(formatFigure('trainLoss', undefined), '–');
});

test('figure names are words; unknown keys stay as they are', () => {
  assert.equal(figureName('gradFirst'), 'first-layer gradient norm');
  assert.equal(figureName('valAcc'), 'validation accuracy');
  assert.equal(figureName('myFigure'), 'myFigure');
});

test('durations read as seconds or minutes', () => {
  assert.equal(formatSeconds(0.42), '0.4 s');
  assert.equal(formatSeconds(12.4), '12 s');
  assert.equal(formatSeconds(125), '2 min 5 s');
  assert.equal(formatSeconds(Number.NaN), '–');
});

test('the figures offered for the curves: the preferred ones first, only those with numbers, never epoch', () => {
  const variants = [
    { history: [{ epoch: 1, trainLoss: 2, valAcc: null, lr: 0.1 }] },
    { history: [{ epoch: 1, trainLoss: 1.5, valAcc: 0.5, gap: Number.NaN }] },
  ];
  assert.deepEqual(historyMetrics(variants, ['valAcc', 'missing', 'trainLoss']), ['valAcc', 'trainLoss', 'lr']);
  assert.deepEqual(historyMetrics([]), []);
});

test('a curve takes its x from the epoch (or the row) and leaves gaps out', () => {
  const v = { history: [{ epoch: 1, valAcc: 0.5 }, { epoch: 2, valAcc: null }, { valAcc: 0.7 }] as Record<string, number | null>[] };
  assert.deepEqual(historyPoints(v, 'valAcc'), [
    { x: 1, y: 0.5 },
    { x: 3, y: 0.7 },
  ]);
});

const trace = (over: Partial<ExperimentTrace> = {}): ExperimentTrace => ({
  key: 'gradNorm',
  label: 'Gradient norm per layer',
  xTitle: 'step',
  log: true,
  names: ['dense 1', 'dense 2'],
  x: [1, 2, 3],
  y: [
    [1e-6, 0, 2e-6],
    [0.5, null, 0.9],
  ],
  ...over,
});

test('trace points skip missing values and, on a log scale, values that are not positive', () => {
  assert.deepEqual(tracePoints(trace(), 0), [
    { x: 1, y: 1e-6 },
    { x: 3, y: 2e-6 },
  ]);
  assert.deepEqual(tracePoints(trace({ log: false }), 0), [
    { x: 1, y: 1e-6 },
    { x: 2, y: 0 },
    { x: 3, y: 2e-6 },
  ]);
  assert.deepEqual(tracePoints(trace(), 5), []);
});

test('small multiples of a trace share one y range over every variant; a log range starts and ends on 1, 2 or 5 times a power of ten', () => {
  assert.deepEqual(sharedRange([trace(), trace({ y: [[3], [null]] })]), { min: 1e-6, max: 5 });
  assert.equal(sharedRange([trace({ y: [[null], []] })]), null);
  assert.deepEqual(sharedRange([trace({ log: false, y: [[2, 2, 2]] })]), { min: 1, max: 3 });
  assert.deepEqual(sharedRange([trace({ log: false, y: [[0.3, 7]] })]), { min: 0.3, max: 7 });
  assert.deepEqual(sharedRange([trace({ y: [[2, 2, 2]] })]), { min: 1, max: 5 });
  assert.deepEqual(sharedRange([trace({ y: [[0.6, 3.2]] })]), { min: 0.5, max: 5 });
});

test('nice log bounds', () => {
  assert.equal(niceBelow(0.6), 0.5);
  assert.equal(niceBelow(7.1e-7), 5e-7);
  assert.equal(niceBelow(1), 1);
  assert.equal(niceBelow(19), 10);
  assert.equal(niceAbove(3.2), 5);
  assert.equal(niceAbove(5), 5);
  assert.equal(niceAbove(0.93), 1);
  assert.equal(niceAbove(6), 10);
  assert.equal(niceAbove(1.2e-6), 2e-6);
});

test('trace kinds are listed once each, in the order the variants have them', () => {
  const a = { traces: [trace(), trace({ key: 'dead', label: 'Dead units' })] };
  const b = { traces: [trace({ key: 'dead', label: 'Dead units' }), trace({ key: 'ratio', label: 'Ratio' })] };
  assert.deepEqual(
    traceKinds([a, b]).map((k) => k.key),
    ['gradNorm', 'dead', 'ratio'],
  );
});

test('pictures become one grid image with 1 px gaps; grey stays grey, colour planes go to their channels, values are clipped', () => {
  assert.deepEqual(gridShape(1), { cols: 1, rows: 1 });
  assert.deepEqual(gridShape(5), { cols: 3, rows: 2 });
  const grey = pictureRgba({ count: 2, channels: 1, height: 1, width: 2, data: Float32Array.from([0, 1, 0.5, 2]) });
  assert.equal(grey.width, 5);
  assert.equal(grey.height, 1);
  assert.deepEqual([...grey.rgba.slice(0, 8)], [0, 0, 0, 255, 255, 255, 255, 255]);
  assert.deepEqual([...grey.rgba.slice(8, 12)], [0, 0, 0, 0], 'the gap is transparent');
  assert.deepEqual([...grey.rgba.slice(12, 20)], [128, 128, 128, 255, 255, 255, 255, 255]);
  const rgb = pictureRgba({ count: 1, channels: 3, height: 1, width: 1, data: Float32Array.from([1, 0.5, -1]) });
  assert.deepEqual([...rgb.rgba], [255, 128, 0, 255]);
  // Data shorter than it says: the images that are there are drawn, no read past the end.
  const short = pictureRgba({ count: 4, channels: 1, height: 1, width: 1, data: Float32Array.from([1]) });
  assert.equal(short.rgba[3], 255);
  assert.equal(short.rgba[7], 0);
});

test('export names are safe file names', () => {
  assert.equal(exportName('optimizers', 'html'), 'optimizers-report.html');
  assert.equal(exportName('my runs/../x', 'json'), 'my-runs-..-x-results.json');
  assert.equal(exportName('///', 'json'), 'experiment-results.json');
});
