/** sigmoid: 1 / (1 + exp(-x)), computed without overflow. */
import { sigmoidBackward, sigmoidForward } from '../kernels/activation.js';
import { registerElementwise } from './elementwise.js';

registerElementwise<Record<string, never>>('sigmoid', Object.freeze({}), {
  forward: (x, y, n) => sigmoidForward(x, y, n),
  backward: (_x, y, dy, dx, n) => sigmoidBackward(y, dy, dx, n),
});
