/* eslint-disable no-restricted-imports -- the unit tests of renderer logic run under Node (scripts/unit.mjs) */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrainConfig } from '../../../engine/protocol/contract.js';
import { checkField, FIELD_RANGES, formErrors } from './train-form.js';

const base = { architecture: { preset: 'mlp' }, optimizer: { type: 'sgd', lr: 0.01 }, epochs: 1, batchSize: 8, seed: 1 };
/** Where each form field lives in a TrainConfig. */
function config(field: string, value: number): unknown {
  const c = structuredClone(base) as Record<string, unknown> & { optimizer: Record<string, unknown>; architecture: Record<string, unknown> };
  if (field === 'lr' || field === 'momentum' || field === 'weightDecay') c.optimizer[field] = value;
  else if (field === 'dropout' || field === 'inputDropout') c.architecture[field] = value;
  else if (field === 'hintWeight') c.hints = { mode: 'penalty', weight: value };
  else c[field] = value;
  return c;
}

test('every invalid field is named at once, in words, with its range', () => {
  const errors = formErrors({ lr: -1, epochs: 0, batchSize: 1.5, seed: 3, momentum: 0.9 });
  assert.deepEqual(errors.map((e) => e.field), ['lr', 'epochs', 'batchSize']);
  assert.equal(errors[0].message, 'Learning rate must be more than 0 and at most 10 (it is -1)');
  assert.equal(errors[1].message, 'Epochs must be at least 1 and at most 10000 (it is 0)');
  assert.equal(errors[2].message, 'Batch must be a whole number, at least 1 and at most 4096');
  assert.match(checkField('seed', Number.NaN) ?? '', /Seed must be a number/);
  assert.deepEqual(formErrors({ lr: 0.001, epochs: 5 }), []);
});

test("the form's ranges are the ranges the engine's TrainConfig accepts", () => {
  for (const [field, r] of Object.entries(FIELD_RANGES)) {
    if (field === 'patience' || field === 'clipNorm') continue; // 0 means "off" in the form and is left out of the config
    for (const [value, ok] of [
      [r.max, true],
      [r.max * 1.01 + 1, false],
      [r.min - 1, false],
    ] as const) {
      const engine = TrainConfig.check(config(field, value)) === null;
      assert.equal(engine, ok, `${field} = ${value}: engine says ${engine}`);
      assert.equal(checkField(field, value) === null, ok, `${field} = ${value}: form disagrees with the engine`);
    }
  }
});
