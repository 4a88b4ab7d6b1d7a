/** leakyRelu: x for x > 0, alpha * x otherwise (alpha default 0.01). */
import { leakyReluBackward, leakyReluForward } from '../kernels/activation.js';
import { registerElementwise } from './elementwise.js';

export interface LeakyReluConfig {
  alpha: number;
}

registerElementwise<LeakyReluConfig>('leakyRelu', Object.freeze({ alpha: 0.01 }), {
  forward: (x, y, n, c) => leakyReluForward(x, y, n, c.alpha),
  backward: (x, _y, dy, dx, n, c) => leakyReluBackward(x, dy, dx, n, c.alpha),
  validate(c) {
    if (!(c.alpha >= 0 && c.alpha < 1)) throw new Error(`layer "leakyRelu": alpha must be in [0, 1), got ${c.alpha}`);
  },
});
