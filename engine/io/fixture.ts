/** A small trained classifier (stub layers) and its file, shared by the model-file tests. */
import { Rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { Sequential, type SequentialSpec } from '../models/sequential.js';
import { createOptimizer } from '../optim/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import { classifierToFile, type ClassifierFile } from './classifier.js';
import './stub-layers.js';

export const SPEC: SequentialSpec = {
  input: [1, 2, 3],
  layers: [{ type: 'testAffine', units: 5 }, { type: 'testShift' }, { type: 'testPair', units: 3 }],
};
export const CLASSES = ['cat', 'dog', 'émeu 🐦'];
export const INPUT = { channels: 1, height: 2, width: 3 };

/** A fixed batch of 4 samples. */
export function batch(seed = 5): Tensor {
  const r = new Rng(seed);
  return tensor([4, 1, 2, 3], Array.from({ length: 24 }, () => r.normal()));
}

/** Train with squared error toward one-hot targets; data from `rng`, so runs can be replayed. */
export function train(model: Sequential, opt: Optimizer, rng: Rng, steps: number): void {
  const params = model.params();
  for (let s = 0; s < steps; s++) {
    const x = batch(rng.nextU32());
    const { y, caches } = model.forward(x, { training: true, rng });
    const dy = new Float32Array(y.data.length);
    for (let b = 0; b < 4; b++) for (let k = 0; k < 3; k++) dy[b * 3 + k] = y.data[b * 3 + k] - (k === b % 3 ? 1 : 0);
    for (const p of params) p.grad.fill(0);
    model.backward(caches, tensor(y.shape, dy));
    opt.step(params);
  }
}

export function trained(steps = 3): { model: Sequential; opt: Optimizer; rng: Rng } {
  const model = new Sequential(SPEC, new Rng(11));
  const opt = createOptimizer({ type: 'adam', lr: 0.01, weightDecay: 0.01, decayMode: 'decoupled' });
  const rng = new Rng(3);
  train(model, opt, rng, steps);
  return { model, opt, rng };
}

export function sampleFile(withOptimizer = true): ClassifierFile {
  const { model, opt } = trained();
  return classifierToFile({
    model,
    classes: CLASSES,
    input: INPUT,
    normalization: { kind: 'standard', mean: [0.5], std: [0.25] },
    training: {
      seed: 11,
      settings: { epochs: 3, batchSize: 4, optimizer: { type: 'adam', lr: 0.01 }, clipNorm: undefined },
      history: [
        { epoch: 1, trainLoss: 1.5, valLoss: null },
        { epoch: 2, trainLoss: 1.25, valLoss: Number.NaN },
      ],
    },
    optimizer: withOptimizer ? opt : undefined,
    createdAt: new Date(Date.UTC(2025, 0, 31, 12)),
  });
}
