/**
 * Adam (Kingma & Ba 2015, Algorithm 1), with AdamW's decoupled weight decay as an option:
 *   t  = t + 1                              (t = 1 on the first step)
 *   g' = g (+ weightDecay * w in l2 mode)
 *   m  = beta1 * m + (1 - beta1) * g'       (m, v start at 0)
 *   v  = beta2 * v + (1 - beta2) * g'^2
 *   m^ = m / (1 - beta1^t),  v^ = v / (1 - beta2^t)     (with biasCorrection; else m^ = m, v^ = v)
 *   w  = w * (1 - lr * weightDecay in decoupled mode) - lr * m^ / (sqrt(v^) + eps)
 * eps is added to sqrt(v^), the corrected root, as in the paper's algorithm and PyTorch. The mistake
 * to avoid: correcting with the wrong power (t - 1, or a power that is not advanced every step),
 * multiplying by (1 - beta^t) instead of dividing, or correcting m but not v. Without correction, m and v
 * are both biased toward 0 and v more so: with the default betas and a steady gradient the step is
 * 3.2 x lr at t = 1, peaks at 6.6 x lr near t = 12 and settles to lr only after some 5000 steps.
 */
import { checkCommon, checkEps, checkRange, COMMON_DEFAULTS, mergeSpec, type AdamConfig } from './config.js';
import { adamUpdate } from '../kernels/adam.js';
import { SlotOptimizer, type UpdateArgs } from './base.js';

export const ADAM_DEFAULTS: Readonly<AdamConfig> = Object.freeze({
  type: 'adam',
  ...COMMON_DEFAULTS,
  lr: 0.001,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  biasCorrection: true,
});

export function adamConfig(spec: unknown): AdamConfig {
  const c = mergeSpec(ADAM_DEFAULTS, spec);
  checkCommon(c);
  checkRange('adam', 'beta1', c.beta1, 0, 1, true);
  checkRange('adam', 'beta2', c.beta2, 0, 1, true);
  checkEps('adam', c.eps);
  return c;
}

export class Adam extends SlotOptimizer<AdamConfig> {
  /** 1 / (1 - beta1^t) and 1 / sqrt(1 - beta2^t) for the current step (1 without correction). */
  #c1 = 1;
  #c2 = 1;

  constructor(spec: unknown = { type: 'adam' }) {
    super(adamConfig(spec), ['m', 'v']);
  }

  protected override beginStep(): void {
    const { beta1, beta2, biasCorrection } = this.config;
    this.#c1 = biasCorrection ? 1 / (1 - Math.pow(beta1, this.t)) : 1;
    this.#c2 = biasCorrection ? 1 / Math.sqrt(1 - Math.pow(beta2, this.t)) : 1;
  }

  protected update({ w, g, slots, mask, lr, l2, keep }: UpdateArgs): void {
    const { beta1, beta2, eps } = this.config;
    // The arithmetic lives in engine/kernels/adam.ts (a WebAssembly SIMD version runs when available).
    adamUpdate(w, g, slots[0], slots[1], mask, { lr, l2, keep, beta1, beta2, eps, c1: this.#c1, c2: this.#c2 });
  }
}
