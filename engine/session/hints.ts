/**
 * Hints: what we know about the task beyond the labels, given to training as virtual examples
 * (engine/data/augment.ts). Each batch of `count` images is followed by one virtual example of each:
 *  - 'augment': the virtual examples are ordinary labelled examples (the batch has 2·count rows and the
 *    loss is the mean cross-entropy over all of them);
 *  - 'penalty': an invariance hint. Only the real images carry the label loss; each pair adds
 *      λ · ‖f(x_i) − f(x'_i)‖²  averaged over the pairs,
 *    where f is the network's output (the logits), so the network is pulled to answer the same for an
 *    image and its shifted/rotated copy.
 */
import { tensor, type Tensor } from '../core/tensor.js';
import { augmentOptions, type AugmentOptions } from '../data/augment.js';
import { softmaxCrossEntropy } from '../losses/index.js';

export type HintMode = 'augment' | 'penalty';

export interface HintSettings {
  mode: HintMode;
  /** λ of the penalty (mode 'penalty'); default 0.1. */
  weight?: number;
  /** Transform limits; defaults in AUGMENT_DEFAULTS. */
  augment?: Partial<AugmentOptions>;
}

export interface CheckedHints {
  mode: HintMode;
  weight: number;
  augment: AugmentOptions;
}

export function checkHints(h: HintSettings): CheckedHints {
  if (h.mode !== 'augment' && h.mode !== 'penalty') throw new Error(`hints: mode must be "augment" or "penalty", got "${String(h.mode)}"`);
  const weight = h.weight ?? 0.1;
  if (!(weight >= 0 && Number.isFinite(weight))) throw new Error(`hints: weight must be a number >= 0, got ${weight}`);
  return { mode: h.mode, weight, augment: augmentOptions(h.augment) };
}

/**
 * λ · mean over pairs of ‖y_i − y_{count+i}‖², for outputs y [2·count, k] whose second half are the
 * virtual examples of the first; the gradient is with respect to all of y.
 */
export function hintPenalty(y: Tensor, count: number, lambda: number): { loss: number; grad: Tensor } {
  const [rows, k] = y.shape;
  if (y.shape.length !== 2 || rows !== 2 * count) throw new Error(`hintPenalty: expected outputs [${2 * count}, k], got [${y.shape.join(', ')}]`);
  const d = y.data;
  const g = new Float32Array(d.length);
  const half = count * k;
  let s = 0;
  const scale = (2 * lambda) / count;
  for (let i = 0; i < half; i++) {
    const diff = d[i] - d[half + i];
    s += diff * diff;
    g[i] = scale * diff;
    g[half + i] = -scale * diff;
  }
  return { loss: count > 0 ? (lambda * s) / count : 0, grad: tensor(y.shape, g) };
}

/**
 * The training objective of a batch: labels for the first `count` rows of y; with hints, y has 2·count
 * rows (real images, then their virtual examples). Returns the loss and dLoss/dy.
 */
export function batchObjective(y: Tensor, labels: Int32Array, count: number, hints: CheckedHints | null): { loss: number; grad: Tensor } {
  if (!hints) return softmaxCrossEntropy(y, labels.subarray(0, count));
  const k = y.shape[1];
  if (hints.mode === 'augment') {
    const both = new Int32Array(2 * count);
    both.set(labels.subarray(0, count));
    both.set(labels.subarray(0, count), count);
    return softmaxCrossEntropy(y, both);
  }
  const real = tensor([count, k], y.data.subarray(0, count * k));
  const ce = softmaxCrossEntropy(real, labels.subarray(0, count));
  const pen = hintPenalty(y, count, hints.weight);
  const g = pen.grad.data;
  const cg = ce.grad.data;
  for (let i = 0; i < cg.length; i++) g[i] += cg[i];
  return { loss: ce.loss + pen.loss, grad: pen.grad };
}
