import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RulesAndExceptions } from './rules.js';

test('rules and exceptions: the linear rule answers outside every unit, the units fix the bump', () => {
  // t = 0.5 x + 1 everywhere, plus a bump of height 2 around x = 1 (the exception).
  const n = 121;
  const x = Float32Array.from({ length: n }, (_, i) => -3 + (6 * i) / (n - 1));
  const t = Float32Array.from(x, (v) => 0.5 * v + 1 + 2 * Math.exp(-((v - 1) ** 2) / (2 * 0.15 ** 2)));
  const m = RulesAndExceptions.fit(x, t, n, 1, 1, { rule: 'linear', units: 1, threshold: 0.05 });
  // the refit rule ignores the exception samples: slope 0.5, intercept 1 (up to the bump's small tails)
  assert.ok(Math.abs(m.rule.weights[0] - 0.5) < 0.02 && Math.abs(m.rule.weights[1] - 1) < 0.03, `rule ${m.rule.weights}`);
  const far = Float32Array.of(-2.5);
  const e = m.explain(far);
  assert.equal(e.source, 'rule');
  assert.deepEqual(m.predict(far), m.ruleOutput(far)); // exactly the rule: the units add nothing here
  const bump = Float32Array.of(1);
  assert.equal(m.explain(bump).source, 'exception');
  assert.ok(Math.abs(m.predict(bump)[0] - 3.5) < 0.2, `at the bump ${m.predict(bump)[0]}`);
  const ex = m.exceptions();
  assert.equal(ex.length, 1);
  assert.ok(Math.abs(ex[0].centre[0] - 1) < 0.05 && ex[0].spread > 0.1 && ex[0].spread < 0.2, JSON.stringify(ex));
  const again = RulesAndExceptions.fromState(structuredClone(m.toState()));
  assert.deepEqual(again.predict(bump), m.predict(bump));
});

test('a constant default rule is the mean target', () => {
  const x = Float32Array.of(0, 1, 2, 3);
  const t = Float32Array.of(1, 1, 1, 5);
  const m = RulesAndExceptions.fit(x, t, 4, 1, 1, { rule: 'constant', units: 1, tolerance: 1.5 });
  // residuals from the mean 2: 1, 1, 1, 3 -> sample 3 is the exception; refit on 0..2 gives w0 = 1.
  assert.deepEqual([...m.rule.weights], [1]);
  assert.equal(m.exceptions().length, 1);
  assert.equal(m.explain(Float32Array.of(-10)).source, 'rule');
});
