/**
 * Built-in experiments run as a user runs them, with the outcome the idea predicts asserted where
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

test("online k-means against Lloyd's: Lloyd's inertia never rises and settles, below online k-means at rate 1/count", async () => {
  const v = await run('kmeans-lloyd');
  const curve = v.Lloyd.history.map((h) => h.inertia as number);
  for (let i = 1; i < curve.length; i++) assert.ok(curve[i] <= curve[i - 1] * (1 + 1e-9), `Lloyd's inertia rose at pass ${i + 1}: ${curve[i - 1]} -> ${curve[i]}`);
  assert.equal(curve.at(-1), curve.at(-2), 'no image changes cluster any more: the centroids stay where they are');
  const online = v['online, rate 1/count'].figures.inertia as number;
  assert.ok((v.Lloyd.figures.inertia as number) < online, `Lloyd ${v.Lloyd.figures.inertia}, online ${online}`);
});

test('growing a small net: the grown net computes what the small one did, ends as big as the big one, and fits better than the small one kept small', async () => {
  const v = await run('network-growth');
  for (const name of ['32 grown to 128 after 2 epochs', '32 grown to 128 after 4 epochs']) {
    const f = v[name].figures;
    assert.equal(f.grownAcc, f.grownFromAcc, `${name}: accuracy before and right after growing`);
    assert.equal(f.params, v['128 from scratch'].figures.params);
    assert.equal(f.paramsBefore, v['32 units'].figures.params);
    assert.ok((f.work as number) < (v['128 from scratch'].figures.work as number), `${name}: less training work than the big net`);
  }
  const small = v['32 units'].figures.trainLoss as number;
  assert.ok((v['32 grown to 128 after 2 epochs'].figures.trainLoss as number) < small, `grown ${v['32 grown to 128 after 2 epochs'].figures.trainLoss}, small ${small}`);
});
