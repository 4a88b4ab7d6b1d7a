/**
 * reshape: reinterpret each sample as `shape` (same number of values, row-major, no copy). One entry
 * may be -1 and is then inferred, e.g. {type: 'reshape', shape: [8, 7, 7]} after a dense of 392 units.
 */
import { shapeStr, sizeOf } from '../core/tensor.js';
import { validShape } from './checks.js';
import { registerLayer } from './layer.js';
import { ShapeView } from './view.js';

export interface ReshapeConfig {
  shape: number[];
}

const TYPE = 'reshape';

function resolve(shape: readonly number[], inputShape: readonly number[]): number[] {
  const total = sizeOf(inputShape);
  if (shape.length === 0) throw new Error(`layer "${TYPE}": needs a target shape, e.g. shape: [1, 28, 28]`);
  const free = shape.filter((d) => d === -1).length;
  if (free > 1 || !shape.every((d) => d === -1 || (Number.isInteger(d) && d > 0))) {
    throw new Error(`layer "${TYPE}": shape entries must be positive integers with at most one -1, got ${JSON.stringify(shape)}`);
  }
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const out = shape.map((d) => (d === -1 ? total / known : d));
  if (sizeOf(out) !== total || !out.every(Number.isInteger)) {
    throw new Error(`layer "${TYPE}": cannot view ${shapeStr(inputShape)} (${total} values) as ${JSON.stringify(shape)}`);
  }
  return out;
}

registerLayer<ReshapeConfig>({
  type: TYPE,
  defaults: Object.freeze({ shape: [] as number[] }),
  validate(c, inputShape) {
    validShape(TYPE, inputShape);
    resolve(c.shape, inputShape);
  },
  create: (c, inputShape) => new ShapeView(TYPE, { shape: [...c.shape] }, inputShape, resolve(c.shape, inputShape)),
});
