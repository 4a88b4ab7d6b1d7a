/**
 * RMSprop (Hinton's lecture 6e; eps outside the root as in PyTorch and Keras):
 *   g' = g (+ weightDecay * w in l2 mode)
 *   s  = rho * s + (1 - rho) * g'^2        (s starts at 0)
 *   w  = w * (1 - lr * weightDecay in decoupled mode) - lr * g' / (sqrt(s) + eps)
 */
import { checkCommon, checkEps, checkRange, COMMON_DEFAULTS, mergeSpec, type RmspropConfig } from './config.js';
import { SlotOptimizer, type UpdateArgs } from './base.js';

export const RMSPROP_DEFAULTS: Readonly<RmspropConfig> = Object.freeze({
  type: 'rmsprop',
  ...COMMON_DEFAULTS,
  lr: 0.001,
  rho: 0.9,
  eps: 1e-8,
});

export function rmspropConfig(spec: unknown): RmspropConfig {
  const c = mergeSpec(RMSPROP_DEFAULTS, spec);
  checkCommon(c);
  checkRange('rmsprop', 'rho', c.rho, 0, 1, true);
  checkEps('rmsprop', c.eps);
  return c;
}

export class Rmsprop extends SlotOptimizer<RmspropConfig> {
  constructor(spec: unknown = { type: 'rmsprop' }) {
    super(rmspropConfig(spec), ['sq']);
  }

  protected update({ w, g, slots, mask, lr, l2, keep }: UpdateArgs): void {
    const { rho, eps } = this.config;
    const sq = slots[0];
    for (let j = 0; j < w.length; j++) {
      if (mask !== undefined && mask[j] === 0) {
        w[j] = 0;
        continue;
      }
      const wj = w[j];
      const d = g[j] + l2 * wj;
      sq[j] = rho * sq[j] + (1 - rho) * d * d;
      w[j] = wj * keep - (lr * d) / (Math.sqrt(sq[j]) + eps);
    }
  }
}
