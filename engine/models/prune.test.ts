import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import '../layers/index.js';
import type { Param } from '../layers/layer.js';
import { createOptimizer } from '../optim/index.js';
import { assertAllClose } from '../testing/numeric.js';
import { pruneEdges, pruneUnits, sparsity } from './prune.js';
import { Sequential } from './sequential.js';

const snapshot = (m: Sequential) => m.params().map((p) => new Float32Array(p.value));

function cnn(): Sequential {
  return new Sequential(
    {
      input: [1, 6, 6],
      layers: [
        { type: 'conv2d', filters: 4, kernel: 3 },
        { type: 'batchNorm' },
        { type: 'relu' },
        { type: 'maxPool2d' },
        { type: 'conv2d', filters: 5, kernel: 3 },
        { type: 'relu' },
        { type: 'flatten' },
        { type: 'dense', units: 6 },
        { type: 'sigmoid' },
        { type: 'dense', units: 3 },
      ],
    },
    new Rng(1),
  );
}

/** Indices whose value changed, and indices the mask prunes. */
function changes(p: Param, before: Float32Array): { changed: number[]; masked: number[] } {
  const changed: number[] = [];
  const masked: number[] = [];
  for (let i = 0; i < before.length; i++) {
    if (!Object.is(p.value[i], before[i])) changed.push(i);
    if (p.mask && p.mask[i] === 0) masked.push(i);
  }
  return { changed, masked };
}

describe('pruneEdges', () => {
  it('zeroes exactly the smallest-magnitude fraction of each weight tensor and nothing else', () => {
    const m = cnn();
    const before = snapshot(m);
    const report = pruneEdges(m, 0.5);
    m.params().forEach((p, i) => {
      const { changed, masked } = changes(p, before[i]);
      if (!p.decay) {
        assert.deepEqual(changed, [], `${p.name} (not a weight) untouched`);
        assert.equal(p.mask, undefined);
        return;
      }
      assert.deepEqual(changed, masked, 'changed values are exactly the pruned ones');
      assert.equal(masked.length, Math.round(0.5 * p.value.length));
      const maxPruned = Math.max(...masked.map((j) => Math.abs(before[i][j])));
      const minKept = Math.min(...[...before[i]].map(Math.abs).filter((_, j) => p.mask![j] === 1));
      assert.ok(maxPruned <= minKept, 'the pruned are the smallest');
      for (const j of masked) assert.equal(p.value[j], 0);
    });
    assert.equal(report.items.length, 4);
    assert.ok(Math.abs(sparsity(m) - 0.5) < 0.01);
  });

  it('pruning more keeps what was pruned, and the optimizer keeps pruned weights at 0', () => {
    const m = cnn();
    pruneEdges(m, 0.3);
    const first = m.params().map((p) => (p.mask ? new Uint8Array(p.mask) : null));
    pruneEdges(m, 0.6);
    m.params().forEach((p, i) => {
      const a = first[i];
      if (a) for (let j = 0; j < a.length; j++) if (a[j] === 0) assert.equal(p.mask![j], 0);
    });
    const params = m.params();
    for (const p of params) p.grad.fill(1);
    createOptimizer({ type: 'adam', lr: 0.1 }).step(params);
    for (const p of params) if (p.mask) for (let j = 0; j < p.mask.length; j++) if (p.mask[j] === 0) assert.equal(p.value[j], 0);
  });

  it('refuses a fraction outside [0, 1]', () => {
    assert.throws(() => pruneEdges(cnn(), 1.5), /fraction/);
  });
});

describe('pruneUnits', () => {
  it('removes whole filters and units: incoming weights, bias, BatchNorm entries and outgoing weights', () => {
    const m = cnn();
    const before = snapshot(m);
    const report = pruneUnits(m, 0.5);
    assert.deepEqual(
      report.items.map((t) => `${t.name} ${t.pruned}/${t.total}`),
      ['1 conv2d units 2/4', '5 conv2d units 3/5', '8 dense units 3/6'],
    );
    const [w1, b1, gamma, beta, w2, , w3, , w4] = m.params();
    // the two pruned filters of conv 1 are the ones with the smallest weight norms
    const norms = [0, 1, 2, 3].map((f) => before[0].subarray(f * 9, f * 9 + 9).reduce((s, v) => s + v * v, 0));
    const gone = [0, 1, 2, 3].filter((f) => b1.mask![f] === 0);
    assert.deepEqual(gone, [0, 1, 2, 3].sort((a, b) => norms[a] - norms[b]).slice(0, 2).sort());
    for (const f of gone) {
      assert.ok(w1.value.subarray(f * 9, f * 9 + 9).every((v) => v === 0));
      assert.equal(gamma.value[f], 0);
      assert.equal(beta.value[f], 0);
      for (let o = 0; o < 5; o++) for (let t = 0; t < 9; t++) assert.equal(w2.mask![(o * 4 + f) * 9 + t], 0, 'outgoing conv weights');
    }
    // conv 2's pruned filters feed the dense through flatten: 9 rows each (3x3 maps)
    const gone2 = [0, 1, 2, 3, 4].filter((f) => m.params()[5].mask![f] === 0);
    for (const f of gone2) for (let r = f * 9; r < f * 9 + 9; r++) for (let c = 0; c < 6; c++) assert.equal(w3.mask![r * 6 + c], 0);
    // the output layer's incoming rows for the pruned sigmoid units are masked, its own units kept
    assert.equal(w4.shape[1], 3);
    assert.equal(m.params()[9].mask, undefined, 'output biases untouched');
    // everything not masked is unchanged
    m.params().forEach((p, i) => assert.deepEqual(changes(p, before[i]).changed.filter((j) => !p.mask || p.mask[j] === 1), []));
  });

  it('a pruned unit no longer affects the output (sigmoid units included)', () => {
    const m = cnn();
    pruneUnits(m, 0.5);
    const rng = new Rng(3);
    const x = tensor([2, 1, 6, 6], Float32Array.from({ length: 72 }, () => rng.normal()));
    const y0 = m.predict(x, new Rng(0)).data;
    // Changing the pruned units' (masked) incoming weights would change nothing downstream, because
    // their outgoing weights are masked too: perturb the masked entries of the consumer's inputs.
    const w1 = m.params()[0];
    for (let j = 0; j < w1.value.length; j++) if (w1.mask![j] === 0) w1.value[j] = 5;
    const b1 = m.params()[1];
    for (let f = 0; f < 4; f++) if (b1.mask![f] === 0) b1.value[f] = 5;
    assertAllClose(m.predict(x, new Rng(0)).data, y0, { atol: 0, rtol: 0 });
  });
});
