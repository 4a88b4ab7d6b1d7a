/**
 * The network workloads of `npm run bench`, each one call of `run` = one batch (training: forward,
 * softmax cross-entropy, backward, Adam, every array from one training arena, as the trainers do;
 * inference: a forward pass). Synthetic inputs in [0, 1) (speed does not depend on pixel values). The
 * PyTorch twins are in scripts/bench_torch.py, same names.
 *  - lenet5-train, mlp-train (batch 64), lenet5-infer (batch 256): 28x28 gray;
 *  - lstm-train, gru-train: one LSTM (GRU) layer of 64 units over 28 steps x 28 features (a Fashion-MNIST
 *    image read row by row), dense read-out to 10 classes, batch 64;
 *  - vgg64-train, vgg64-infer: the `vgg` preset with 3 blocks (conv 3x3 16-16, pool, 32-32, pool, 64-64,
 *    pool, dense 128, 10; ReLU, padding same) on 64x64 colour images, batch 32.
 */
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import { selfOwnedZeros } from '../kernels/resident.js';
import '../layers/index.js';
import { softmaxCrossEntropy } from '../losses/index.js';
import { presetSpec } from '../models/presets.js';
import { sequenceSpec } from '../models/sequence.js';
import { Sequential, trainingArena, type SequentialSpec } from '../models/sequential.js';
import { createOptimizer } from '../optim/index.js';

export interface Workload {
  name: string;
  /** Images (or samples) processed by one call. */
  batch: number;
  run: () => void;
  /** What `batch` counts, when not images. */
  unit?: string;
}

export function trainWorkload(name: string, spec: SequentialSpec, batch: number): Workload {
  const rng = new Rng(1);
  const model = new Sequential(spec, rng);
  const params = model.params();
  const opt = createOptimizer({ type: 'adam', lr: 1e-3 });
  // The batch in the kernel memory, as the trainers keep theirs (session/classifier.ts, sequence.ts).
  const x = tensor([batch, ...spec.input], selfOwnedZeros(batch * spec.input.reduce((a, b) => a * b, 1)));
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.next();
  const labels = new Int32Array(batch).map(() => rng.int(10));
  const arena = trainingArena();
  const ctx = { training: true, rng, arena };
  return {
    name,
    batch,
    run: () => {
      arena.reset();
      const { y, caches } = model.forward(x, ctx);
      const { grad } = softmaxCrossEntropy(y, labels);
      model.backward(caches, grad, false, arena, 'set'); // the grads overwritten, as the trainers do
      opt.step(params);
    },
  };
}

export function inferWorkload(name: string, spec: SequentialSpec, batch: number): Workload {
  const rng = new Rng(1);
  const model = new Sequential(spec, rng);
  const x = tensor([batch, ...spec.input]);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.next();
  return { name, batch, run: () => void model.predict(x, rng) };
}

/** A network preset on 28x28 gray images (LeNet-5, the MLP). */
export const gray28 = (preset: string) => presetSpec(preset, [1, 28, 28], 10);
/** The colour CNN of vgg64-train and vgg64-infer (the TF.js and PyTorch twins build the same net). */
export const vgg64 = () => presetSpec('vgg', [3, 64, 64], 10, { depth: 3 });
/** The LSTM of lstm-train. */
export const lstm = () => sequenceSpec({ cell: 'lstm', steps: 28, features: 28, outputs: 10, units: 64 });
const gru = () => sequenceSpec({ cell: 'gru', steps: 28, features: 28, outputs: 10, units: 64 });

/** The network workloads in bench order (the DCGAN round is gan.ts). */
export const NETWORK_WORKLOADS: readonly { name: string; make: () => Workload }[] = [
  { name: 'lenet5-train', make: () => trainWorkload('lenet5-train', gray28('lenet5'), 64) },
  { name: 'mlp-train', make: () => trainWorkload('mlp-train', gray28('mlp'), 64) },
  { name: 'lenet5-infer', make: () => inferWorkload('lenet5-infer', gray28('lenet5'), 256) },
  { name: 'lstm-train', make: () => trainWorkload('lstm-train', lstm(), 64) },
  { name: 'gru-train', make: () => trainWorkload('gru-train', gru(), 64) },
  { name: 'vgg64-train', make: () => trainWorkload('vgg64-train', vgg64(), 32) },
  { name: 'vgg64-infer', make: () => inferWorkload('vgg64-infer', vgg64(), 32) },
];
