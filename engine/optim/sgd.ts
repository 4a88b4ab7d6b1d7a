/**
 * Stochastic gradient descent with optional heavy-ball or Nesterov momentum (PyTorch's convention):
 *   g' = g (+ weightDecay * w in l2 mode)
 *   v  = momentum * v + g'                 (v starts at 0, so v = g' on the first step)
 *   d  = nesterov ? g' + momentum * v : v  (d = g' when momentum = 0)
 *   w  = w * (1 - lr * weightDecay in decoupled mode) - lr * d
 */
import { checkCommon, checkRange, COMMON_DEFAULTS, mergeSpec, type SgdConfig } from './config.js';
import { SlotOptimizer, type UpdateArgs } from './base.js';

export const SGD_DEFAULTS: Readonly<SgdConfig> = Object.freeze({ type: 'sgd', ...COMMON_DEFAULTS, momentum: 0, nesterov: false });

export function sgdConfig(spec: unknown): SgdConfig {
  const c = mergeSpec(SGD_DEFAULTS, spec);
  checkCommon(c);
  checkRange('sgd', 'momentum', c.momentum, 0, 1, true);
  if (c.nesterov && c.momentum === 0) throw new Error('optimizer "sgd": nesterov needs momentum > 0');
  return c;
}

export class Sgd extends SlotOptimizer<SgdConfig> {
  constructor(spec: unknown = { type: 'sgd' }) {
    const c = sgdConfig(spec);
    super(c, c.momentum > 0 ? ['velocity'] : []);
  }

  protected update({ w, g, slots, mask, lr, l2, keep }: UpdateArgs): void {
    const mu = this.config.momentum;
    const nesterov = this.config.nesterov;
    const vel = slots[0];
    for (let j = 0; j < w.length; j++) {
      if (mask !== undefined && mask[j] === 0) {
        w[j] = 0;
        continue;
      }
      const wj = w[j];
      let d = g[j] + l2 * wj;
      if (vel !== undefined) {
        const v = mu * vel[j] + d;
        vel[j] = v;
        d = nesterov ? d + mu * vel[j] : vel[j];
      }
      w[j] = wj * keep - lr * d;
    }
  }
}
