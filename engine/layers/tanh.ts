/** tanh: hyperbolic tangent. */
import { tanhBackward, tanhForward } from '../kernels/activation.js';
import { registerElementwise } from './elementwise.js';

registerElementwise<Record<string, never>>('tanh', Object.freeze({}), {
  forward: (x, y, n) => tanhForward(x, y, n),
  backward: (_x, y, dy, dx, n) => tanhBackward(y, dy, dx, n),
});
