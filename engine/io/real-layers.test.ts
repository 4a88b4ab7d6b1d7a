import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import '../layers/index.js';
import { softmaxCrossEntropy } from '../losses/index.js';
import { presetSpec } from '../models/presets.js';
import { Sequential, type SequentialSpec } from '../models/sequential.js';
import { createOptimizer } from '../optim/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import { classifierFromFile, classifierToFile, readModelFile, writeModelFile } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'locus-io-real-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

const CNN: SequentialSpec = {
  input: [1, 8, 8],
  layers: [
    { type: 'conv2d', filters: 4, kernel: 3, padding: 'same' },
    { type: 'batchNorm' },
    { type: 'relu' },
    { type: 'residual', body: [{ type: 'conv2d', filters: 4, kernel: 3, padding: 'same' }, { type: 'batchNorm' }], shortcut: [] },
    { type: 'relu' },
    { type: 'maxPool2d', size: 2, stride: 2 },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.25 },
    { type: 'dense', units: 3 },
  ],
};

function trainSteps(model: Sequential, opt: Optimizer, rng: Rng, steps: number): void {
  const n = 6;
  const per = model.inputShape.reduce((a, b) => a * b, 1);
  for (let s = 0; s < steps; s++) {
    const x = tensor([n, ...model.inputShape], Array.from({ length: n * per }, () => rng.next()));
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    const { y, caches } = model.forward(x, { training: true, rng });
    const { grad } = softmaxCrossEntropy(y, labels);
    model.zeroGrads();
    model.backward(caches, grad);
    opt.step(model.params());
  }
}

for (const [label, spec] of [
  ['conv + batchNorm + residual + dropout + dense', CNN],
  ['LeNet-5 preset', presetSpec('lenet5', [1, 16, 16], 3)],
] as const) {
  test(`real layers (${label}): weights, running statistics and predictions round-trip bit for bit`, async () => {
    const model = new Sequential(spec, new Rng(4));
    const opt = createOptimizer({ type: 'sgd', lr: 0.05, momentum: 0.9 });
    const rng = new Rng(8);
    trainSteps(model, opt, rng, 3);
    const bn = model.buffers();
    if (label.includes('batchNorm')) {
      assert.ok(bn.length === 4, 'two batchNorm layers, two buffers each');
      assert.ok(bn.some((b) => b.name === 'runningVar' && b.value.some((v) => v !== 1)), 'running variance was trained');
    }
    const path = join(dir, 'real.locus.json');
    const [c, h, w] = spec.input;
    await writeModelFile(path, classifierToFile({
      model, classes: ['a', 'b', 'c'], input: { channels: c, height: h, width: w }, normalization: { kind: 'unit' },
      training: { seed: 4, settings: {}, history: [] }, optimizer: opt,
    }));
    const loaded = classifierFromFile(await readModelFile(path));
    assert.deepEqual(loaded.model.params().map((p) => bits(p.value)), model.params().map((p) => bits(p.value)));
    assert.deepEqual(loaded.model.buffers().map((b) => bits(b.value)), model.buffers().map((b) => bits(b.value)));
    const x = tensor([5, ...spec.input], Array.from({ length: 5 * c * h * w }, (_, i) => Math.sin(i)));
    assert.equal(bits(loaded.model.predict(x, new Rng(0)).data), bits(model.predict(x, new Rng(0)).data));
    // ...and training continues identically (dropout masks from the same rng stream).
    const r1 = Rng.fromState(rng.getState());
    trainSteps(model, opt, rng, 2);
    trainSteps(loaded.model, loaded.optimizer!, r1, 2);
    assert.deepEqual(loaded.model.params().map((p) => bits(p.value)), model.params().map((p) => bits(p.value)));
  });
}
