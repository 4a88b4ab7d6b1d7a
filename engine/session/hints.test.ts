import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import '../layers/index.js';
import { Sequential } from '../models/sequential.js';
import { assertGradients, checkGradient, checkLossGradient } from '../testing/gradcheck.js';
import { batchObjective, checkHints, hintPenalty } from './hints.js';

const rng = new Rng(7);
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));

describe('hints', () => {
  it('penalty by hand: λ · mean over pairs of squared output distance', () => {
    const y = tensor([4, 2], [1, 2, 0, 0, 1, 0, 3, 4]); // pairs (1,2)-(1,0) and (0,0)-(3,4)
    const { loss, grad } = hintPenalty(y, 2, 0.5);
    assert.equal(loss, (0.5 * (4 + 25)) / 2);
    // d/dy_i = 2λ/count (y_i - y'_i) = 0.5 (y_i - y'_i)
    assert.deepEqual([...grad.data].map((v) => v + 0), [0, 1, -1.5, -2, 0, -1, 1.5, 2]);
  });

  it('penalty gradient matches finite differences', () => {
    const y = tensor([6, 4], rand(24));
    assertGradients([checkLossGradient('penalty', y, (t) => hintPenalty(t, 3, 0.3))]);
  });

  it('the whole penalty objective (cross-entropy on real images + λ‖f(x) − f(x′)‖²) is gradient-checked through a network', () => {
    const model = new Sequential({ input: [5], layers: [{ type: 'dense', units: 6, init: 'glorot' }, { type: 'tanh' }, { type: 'dense', units: 3, init: 'glorot' }] }, new Rng(3));
    const x = tensor([8, 5], rand(40)); // 4 real rows, then their 4 virtual examples
    const labels = Int32Array.from([0, 2, 1, 2]);
    const hints = checkHints({ mode: 'penalty', weight: 0.7 });
    const ctx = () => ({ training: false, rng: new Rng(0) });
    const { y, caches } = model.forward(x, ctx());
    model.zeroGrads();
    const dx = model.backward(caches, batchObjective(y, labels, 4, hints).grad);
    const loss = () => batchObjective(model.forward(x, ctx()).y, labels, 4, hints).loss;
    const results = model.params().map((p, i) => checkGradient(`param ${i} ${p.name}`, p.value, new Float32Array(p.grad), loss));
    results.push(checkGradient('input', x.data, new Float32Array(dx.data), loss));
    assertGradients(results);
    // the penalty really contributes: without it the gradient differs.
    const plain = batchObjective(y, labels, 4, { ...hints, weight: 0 }).grad.data;
    assert.notDeepEqual(plain, batchObjective(y, labels, 4, hints).grad.data);
  });

  it('augment mode: every virtual example carries its image\'s label', () => {
    const y = tensor([4, 2], [5, 0, 0, 5, 0, 5, 5, 0]);
    const labels = Int32Array.from([0, 1, 9, 9]); // only the first `count` labels are read
    const r = batchObjective(y, labels, 2, checkHints({ mode: 'augment' }));
    // rows 0,1 are right with margin 5, rows 2,3 wrong with margin 5: mean of 2·log(1+e^-5) and 2·log(1+e^5).
    const want = (2 * Math.log1p(Math.exp(-5)) + 2 * Math.log1p(Math.exp(5))) / 4;
    assert.ok(Math.abs(r.loss - want) < 1e-9);
  });

  it('refuses a negative weight', () => {
    assert.throws(() => checkHints({ mode: 'penalty', weight: -1 }), /weight must be/);
  });
});
