import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOptimizer, OPTIMIZER_DEFAULTS } from './index.js';

test('defaults fill missing options and are frozen', () => {
  assert.deepEqual(createOptimizer({ type: 'adam' }).config, {
    type: 'adam', lr: 0.001, weightDecay: 0, decayMode: 'l2', beta1: 0.9, beta2: 0.999, eps: 1e-8, biasCorrection: true,
  });
  assert.deepEqual(createOptimizer({ type: 'sgd', momentum: 0.5 }).config, {
    type: 'sgd', lr: 0.01, weightDecay: 0, decayMode: 'l2', momentum: 0.5, nesterov: false,
  });
  assert.equal(createOptimizer({ type: 'rmsprop' }).config.lr, 0.001);
  for (const d of Object.values(OPTIMIZER_DEFAULTS)) assert.ok(Object.isFrozen(d));
  assert.ok(Object.isFrozen(createOptimizer({ type: 'sgd' }).config));
});

test('bad specs are refused with the reason', () => {
  const bad: [unknown, RegExp][] = [
    [null, /unknown optimizer type/],
    [{ type: 'adagrad' }, /unknown optimizer type "adagrad" \(known: sgd, rmsprop, adam\)/],
    [{ type: 'adam', momentum: 0.9 }, /unknown option "momentum"/],
    [{ type: 'adam', lr: '0.1' }, /option "lr" must be a number, got string/],
    [{ type: 'adam', lr: Number.NaN }, /finite/],
    [{ type: 'adam', lr: -1 }, /lr must be >= 0/],
    [{ type: 'adam', beta1: 1 }, /beta1 must be in \[0, 1\)/],
    [{ type: 'adam', eps: 0 }, /eps must be > 0/],
    [{ type: 'adam', biasCorrection: 1 }, /must be a boolean/],
    [{ type: 'sgd', nesterov: true }, /nesterov needs momentum > 0/],
    [{ type: 'sgd', momentum: 1 }, /momentum must be in/],
    [{ type: 'rmsprop', rho: -0.1 }, /rho must be in/],
    [{ type: 'sgd', weightDecay: -0.1 }, /weightDecay must be >= 0/],
    [{ type: 'sgd', decayMode: 'l1' }, /decayMode must be "l2" or "decoupled"/],
  ];
  for (const [spec, re] of bad) assert.throws(() => createOptimizer(spec), re, JSON.stringify(spec));
});
