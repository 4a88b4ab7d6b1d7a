/**
 * Forward values of the recurrent layers against PyTorch 1.13 (torch.nn.RNN, LSTM, GRU with
 * batch_first, float64; weight_ih = Wx^T, weight_hh = Wh^T, bias_ih = b, bias_hh = 0 except the GRU's
 * new-gate part = bh), shapes, options, orthogonal init and the gate telemetry.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import { assertAllClose } from '../testing/numeric.js';
import './index.js';
import { buildLayer, specOf, type Layer } from './layer.js';
import { hasGateTrace, initOrthogonalBlocks } from './recurrent.js';

const B = 2;
const T = 3;
const F = 2;
const U = 2;

// Outputs of every step, [2, 3, 2], from torch (float64) with the same formula weights and input.
const TORCH: Record<string, number[]> = {
  simpleRnn: [0.0454247, -0.2257064, 0.4830639, 0.0916502, 0.0118168, 0.1177098, -0.4103439, -0.0103871, -0.1910134, -0.1173948, 0.3873108, 0.0012066],
  lstm: [0.0231685, 0.0830419, -0.1141625, 0.1439372, -0.1208102, -0.0047754, 0.0189938, -0.0611817, 0.0594556, 0.0006825, -0.0198918, 0.124729],
  gru: [-0.1228018, -0.0239188, -0.3726044, -0.1712216, -0.2124892, -0.0457875, 0.4161626, 0.1548818, 0.4017403, 0.1962688, -0.055216, 0.0170214],
};

function withTorchWeights(type: string, returnSequences: boolean): Layer {
  const layer = buildLayer({ type, units: U, returnSequences }, [T, F], new Rng(1));
  for (const p of layer.params()) {
    const v = p.value;
    for (let i = 0; i < v.length; i++) {
      if (p.name === 'Wx') v[i] = 0.5 * Math.sin(i + 1);
      else if (p.name === 'Wh') v[i] = 0.4 * Math.cos(i + 2);
      else if (p.name === 'b') v[i] = 0.1 * Math.sin(3 * i);
      else if (p.name === 'bh') v[i] = 0.2 * Math.cos(i);
      else throw new Error(`unexpected param ${p.name}`);
    }
  }
  return layer;
}

const input = () => tensor([B, T, F], Array.from({ length: B * T * F }, (_, i) => Math.sin(0.7 * i)));
const ctx = { training: false, rng: new Rng(0) };

for (const type of Object.keys(TORCH)) {
  test(`${type} matches PyTorch, every step and the last one`, () => {
    const all = withTorchWeights(type, true).forward(input(), ctx).y;
    assert.deepEqual(all.shape, [B, T, U]);
    assertAllClose(all.data, TORCH[type], { atol: 2e-6, rtol: 1e-5 }, type);
    const last = withTorchWeights(type, false).forward(input(), ctx).y;
    assert.deepEqual(last.shape, [B, U]);
    const want = [0, 1].flatMap((b) => TORCH[type].slice((b * T + T - 1) * U, (b * T + T) * U));
    assertAllClose(last.data, want, { atol: 2e-6, rtol: 1e-5 }, `${type} last`);
  });
}

test('lstm forget bias starts at forgetBias, other biases at 0; Wh blocks are orthogonal', () => {
  const l = buildLayer({ type: 'lstm', units: 3, forgetBias: 1.5 }, [4, 2], new Rng(2));
  const b = l.params().find((p) => p.name === 'b')!.value;
  assert.deepEqual(Array.from(b), [0, 0, 0, 1.5, 1.5, 1.5, 0, 0, 0, 0, 0, 0]);
  const n = 5;
  const w = new Float32Array(n * 2 * n);
  initOrthogonalBlocks(w, n, 2, new Rng(4));
  for (let k = 0; k < 2; k++) {
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < n; q++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += w[i * 2 * n + k * n + p] * w[i * 2 * n + k * n + q];
        assert.ok(Math.abs(d - (p === q ? 1 : 0)) < 1e-5, `block ${k} columns ${p}, ${q}: ${d}`);
      }
    }
  }
});

test('shapes, param shapes and refusals', () => {
  const shape = (spec: object, input: number[]) => buildLayer({ type: 'x', ...spec } as never, input, new Rng(1)).outputShape;
  assert.deepEqual(shape({ type: 'lstm', units: 5 }, [28, 28]), [5]);
  assert.deepEqual(shape({ type: 'gru', units: 5, returnSequences: true }, [28, 28]), [28, 5]);
  assert.deepEqual(shape({ type: 'conv1d', units: 4, kernel: 5 }, [28, 28]), [24, 4]);
  assert.deepEqual(shape({ type: 'conv1d', units: 4, kernel: 5, stride: 2, padding: 'same' }, [27, 3]), [14, 4]);
  assert.deepEqual(shape({ type: 'conv1d', units: 4, kernel: 3, dilation: 4, returnSequences: false }, [20, 1]), [4]);
  const gru = buildLayer({ type: 'gru', units: 4 }, [6, 3], new Rng(1));
  assert.deepEqual(gru.params().map((p) => [p.name, p.shape]), [['Wx', [3, 12]], ['Wh', [4, 12]], ['b', [12]], ['bh', [4]]]);
  const bad = (spec: object, input: number[], re: RegExp) => assert.throws(() => buildLayer(spec as never, input, new Rng(1)), re);
  bad({ type: 'lstm' }, [1, 28, 28], /expects input \[time, features\]/);
  bad({ type: 'simpleRnn', units: 0 }, [4, 2], /units must be a positive integer/);
  bad({ type: 'gru', recurrentInit: 'identity' }, [4, 2], /recurrentInit must be one of/);
  bad({ type: 'lstm', forgetBias: 1e3 }, [4, 2], /forgetBias/);
  bad({ type: 'conv1d', kernel: 5 }, [4, 2], /does not fit 4 steps/);
  bad({ type: 'conv1d', padding: 'causal' }, [4, 2], /padding must be one of valid, same/);
});

test('gate telemetry: per-step means over the batch and one sample\'s [time, units] matrices', () => {
  const l = withTorchWeights('lstm', true);
  assert.ok(hasGateTrace(l));
  const { y, cache } = l.forward(input(), ctx);
  const tr = l.gateTrace(cache, 1);
  assert.deepEqual(tr.names, ['input', 'forget', 'cell', 'output', 'c', 'h']);
  assert.equal(tr.steps, T);
  assert.equal(tr.means.length, 6);
  // h of sample 1 is the layer's output for sample 1
  assertAllClose(tr.sample!.matrices[5], y.data.subarray(T * U, 2 * T * U), { atol: 1e-7 }, 'h matrix');
  // mean of h at step t over batch and units
  for (let t = 0; t < T; t++) {
    const m = (y.data[t * U] + y.data[t * U + 1] + y.data[(T + t) * U] + y.data[(T + t) * U + 1]) / 4;
    assert.ok(Math.abs(tr.means[5][t] - m) < 1e-7);
  }
  for (const g of [0, 1, 3]) for (const v of tr.sample!.matrices[g]) assert.ok(v > 0 && v < 1, 'sigmoid gates lie in (0, 1)');
  assert.throws(() => l.gateTrace(cache, 2), /outside the batch/);
  const gru = withTorchWeights('gru', false);
  assert.ok(hasGateTrace(gru));
  assert.deepEqual(gru.gateTrace(gru.forward(input(), ctx).cache).names, ['reset', 'update', 'new', 'h']);
  assert.equal(hasGateTrace(buildLayer({ type: 'conv1d' }, [5, 2], new Rng(1))), false);
});

test('specOf round-trips every sequence layer: same config, shapes and initial weights from the same seed', () => {
  const specs = [
    { type: 'simpleRnn', units: 3, returnSequences: true },
    { type: 'lstm', units: 4, forgetBias: 2 },
    { type: 'gru', units: 2, updateBias: -1, recurrentInit: 'glorot' },
    { type: 'conv1d', units: 3, kernel: 2, dilation: 2, padding: 'same', returnSequences: false },
  ];
  for (const spec of specs) {
    const a = buildLayer(spec, [6, 3], new Rng(3));
    const b = buildLayer(JSON.parse(JSON.stringify(specOf(a))), [6, 3], new Rng(3));
    assert.deepEqual(specOf(b), specOf(a), spec.type);
    assert.deepEqual(b.outputShape, a.outputShape, spec.type);
    assert.deepEqual(b.params().map((p) => p.value), a.params().map((p) => p.value), spec.type);
  }
  const gru = buildLayer({ type: 'gru', units: 2, updateBias: -1 }, [3, 1], new Rng(1));
  assert.deepEqual(Array.from(gru.params().find((p) => p.name === 'b')!.value), [0, 0, -1, -1, 0, 0]);
});
