/** relu: max(0, x). */
import { reluBackward, reluForward } from '../kernels/activation.js';
import { registerElementwise } from './elementwise.js';

registerElementwise<Record<string, never>>('relu', Object.freeze({}), {
  forward: (x, y, n) => reluForward(x, y, n),
  backward: (x, _y, dy, dx, n) => reluBackward(x, dy, dx, n),
});
