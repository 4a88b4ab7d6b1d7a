/* eslint-disable no-restricted-imports -- the unit tests of renderer logic run under Node (scripts/unit.mjs) */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartSummary, curveStyle, DASHES, readable } from './chart-text.js';

test('a chart summary names each curve with its latest value and where it was read', () => {
  const text = chartSummary(
    'Loss',
    [
      { label: 'training loss', points: [{ x: 1, y: 0.9 }, { x: 2, y: 0.41234 }] },
      { label: 'validation loss', points: [{ x: 2, y: 0.5 }] },
      { label: 'batch loss', points: [] },
    ],
    'epoch',
  );
  assert.equal(text, 'Loss. Latest: training loss 0.4123 at epoch 2; validation loss 0.5 at epoch 2.');
});

test('a chart with no points says so', () => {
  assert.equal(chartSummary('Accuracy', [{ label: 'a', points: [] }], 'epoch', 'Accuracy appears after the first epoch'), 'Accuracy. Accuracy appears after the first epoch.');
});

test('numbers read as on an axis: four significant digits, exponents only for very large or small', () => {
  assert.equal(readable(0.123456), '0.1235');
  assert.equal(readable(12), '12');
  assert.equal(readable(1.5), '1.5');
  assert.equal(readable(0), '0');
  assert.equal(readable(3.2e-6), '3.20e-6');
  assert.equal(readable(NaN), 'NaN');
});

test('neighbouring curves differ in line style and point shape, not only in colour', () => {
  for (let i = 0; i < DASHES.length - 1; i++) {
    assert.notDeepEqual(curveStyle(i).dash, curveStyle(i + 1).dash);
    assert.notEqual(curveStyle(i).point, curveStyle(i + 1).point);
  }
  assert.deepEqual(curveStyle(0).dash, []);
});
