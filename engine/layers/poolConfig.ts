/** Config, checks and geometry shared by the pooling layers (maxPool2d, avgPool2d). */
import { squareWindow, type Padding, type WindowGeom } from '../kernels/geometry.js';
import { oneOf, positiveInt, rank } from './checks.js';
import { PADDINGS } from './conv2d.js';

export interface PoolConfig {
  /** Window size (square). */
  size: number;
  stride: number;
  padding: Padding;
}

export const POOL_DEFAULTS: Readonly<PoolConfig> = Object.freeze({ size: 2, stride: 2, padding: 'valid' });

export function poolGeometry(c: PoolConfig, inputShape: readonly number[]): WindowGeom {
  const [ch, h, w] = inputShape;
  return squareWindow(ch, h, w, c.size, c.stride, c.padding);
}

export function validatePool(type: string, c: PoolConfig, inputShape: readonly number[]): void {
  positiveInt(type, 'size', c.size);
  positiveInt(type, 'stride', c.stride);
  oneOf(type, 'padding', c.padding, PADDINGS);
  rank(type, inputShape, [3]);
  try {
    poolGeometry(c, inputShape);
  } catch (e) {
    throw new Error(`layer "${type}": ${(e as Error).message}`);
  }
}
