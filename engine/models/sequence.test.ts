import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import '../layers/index.js';
import { cellOf, sequenceSpec } from './sequence.js';
import { Sequential } from './sequential.js';

test('recurrent cells: stacked layers return every step except the last; a dense read-out', () => {
  const spec = sequenceSpec({ cell: 'gru', steps: 28, features: 28, outputs: 10, units: 12, layers: 3 });
  assert.deepEqual(spec.input, [28, 28]);
  assert.deepEqual(spec.layers.map((l) => [l.type, l.returnSequences ?? null]), [['gru', true], ['gru', true], ['gru', false], ['dense', null]]);
  const m = new Sequential(spec, new Rng(1));
  assert.deepEqual(m.outputShape, [10]);
  assert.equal(cellOf(spec), 'gru');
});

test('tdnn: dilation doubles per layer and the window shrinks to fit short sequences', () => {
  const spec = sequenceSpec({ cell: 'tdnn', steps: 12, features: 2, outputs: 3, units: 4, layers: 3, kernel: 5 });
  const convs = spec.layers.filter((l) => l.type === 'conv1d');
  assert.deepEqual(convs.map((l) => [l.kernel, l.dilation]), [[5, 1], [4, 2], [1, 4]]);
  const m = new Sequential(spec, new Rng(1));
  assert.deepEqual(m.layers.map((l) => l.outputShape), [[8, 4], [8, 4], [2, 4], [2, 4], [2, 4], [2, 4], [8], [3]]);
  assert.equal(cellOf(spec), 'tdnn');
});

test('bad options are refused', () => {
  assert.throws(() => sequenceSpec({ cell: 'transformer' as never, steps: 4, features: 1, outputs: 2 }), /unknown cell "transformer"/);
  assert.throws(() => sequenceSpec({ cell: 'lstm', steps: 4, features: 1, outputs: 2, units: 0 }), /units must be a positive integer/);
});
