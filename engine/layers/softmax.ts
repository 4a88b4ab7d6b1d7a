/**
 * softmax: normalized exponentials over the last axis of each sample (the features of [n]; the
 * width axis of a [C, H, W] sample). For classifier training prefer raw logits with the
 * softmaxCrossEntropy loss, which is more stable; this layer serves outputs read as probabilities.
 */
import { softmaxBackward, softmaxForward } from '../kernels/activation.js';
import { registerElementwise } from './elementwise.js';

registerElementwise<Record<string, never>>('softmax', Object.freeze({}), {
  forward: (x, y, n, _c, row) => softmaxForward(x, y, n / row, row),
  backward: (_x, y, dy, dx, n, _c, row) => softmaxBackward(y, dy, dx, n / row, row),
});
