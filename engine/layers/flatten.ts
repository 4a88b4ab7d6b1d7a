/** flatten: [C, H, W] (or any shape) per sample becomes [C*H*W], row-major, without copying. */
import { sizeOf } from '../core/tensor.js';
import { validShape } from './checks.js';
import { registerLayer } from './layer.js';
import { ShapeView } from './view.js';

const TYPE = 'flatten';

registerLayer<Record<string, never>>({
  type: TYPE,
  defaults: Object.freeze({}),
  validate: (_c, inputShape) => validShape(TYPE, inputShape),
  create: (c, inputShape) => new ShapeView(TYPE, c, inputShape, [sizeOf(inputShape)]),
});
