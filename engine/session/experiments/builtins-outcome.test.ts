/**
 * Two built-in experiments run as a user runs them, with the outcome the idea predicts asserted where
 * it is robust (the same seed and data give the same figures from run to run).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Experiments } from './index.js';

async function run(id: string) {
  const lab = new Experiments(() => null);
  const { runner } = lab.start({ id, runId: `outcome-${id}`, folder: null, emit: () => {} });
  const r = await runner.done;
  assert.equal(r.state, 'completed', r.message);
  return Object.fromEntries(r.variants.map((v) => [v.name, v]));
}

test('vanishing gradients: ReLU keeps a first-layer gradient 100x larger than sigmoid, and weights three times too large explode', async () => {
  const v = await run('vanishing-gradients');
  const g = (name: string) => v[name].figures.gradFirst as number;
  assert.ok(g('ReLU (He)') > 100 * g('sigmoid'), `ReLU ${g('ReLU (He)')}, sigmoid ${g('sigmoid')}`);
  assert.ok(g('tanh') > 100 * g('sigmoid'));
  const big = v['ReLU, weights x3'];
  assert.ok(big.outcome.reason === 'diverged' || g('ReLU, weights x3') > 1e3 * g('ReLU (He)'), `x3: ${big.outcome.reason} ${g('ReLU, weights x3')}`);
  // The first layer's norm is far below the last layer's with sigmoid, not with ReLU.
  assert.ok((v.sigmoid.figures.gradLast as number) > 100 * g('sigmoid'));
});

test('remembering over time: LSTM and GRU carry a marker 40 steps where a simple RNN stays near chance', async () => {
  const v = await run('recurrent-memory');
  const acc = (name: string) => v[name].figures.bestValAcc as number;
  assert.ok(acc('simple RNN') < 0.65, `RNN ${acc('simple RNN')}`);
  assert.ok(acc('LSTM') > acc('simple RNN') + 0.1, `LSTM ${acc('LSTM')}, RNN ${acc('simple RNN')}`);
  assert.ok(acc('GRU') > acc('simple RNN') + 0.1, `GRU ${acc('GRU')}, RNN ${acc('simple RNN')}`);
});
