/** Config and shape checks shared by the layers; every failure names the layer and the reason. */
import { shapeStr, sizeOf, type Tensor } from '../core/tensor.js';
import { isInitName, INIT_NAMES } from './init.js';

export function positiveInt(type: string, key: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`layer "${type}": ${key} must be a positive integer, got ${v}`);
}

export function nonNegativeInt(type: string, key: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new Error(`layer "${type}": ${key} must be a non-negative integer, got ${v}`);
}

export function oneOf<T extends string>(type: string, key: string, v: unknown, options: readonly T[]): asserts v is T {
  if (!options.includes(v as T)) throw new Error(`layer "${type}": ${key} must be one of ${options.join(', ')}, got ${String(v)}`);
}

export function validInit(type: string, key: string, v: unknown): void {
  if (!isInitName(v)) throw new Error(`layer "${type}": ${key} must be one of ${INIT_NAMES.join(', ')}, got ${String(v)}`);
}

export function rank(type: string, inputShape: readonly number[], ranks: readonly number[], hint = ''): void {
  if (!ranks.includes(inputShape.length)) {
    const want = ranks.map((r) => (r === 1 ? '[features]' : r === 3 ? '[channels, height, width]' : `rank ${r}`)).join(' or ');
    throw new Error(`layer "${type}": expects input ${want}, got ${shapeStr(inputShape)}${hint ? `; ${hint}` : ''}`);
  }
}

export function validShape(type: string, inputShape: readonly number[]): void {
  if (inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`layer "${type}": input shape ${shapeStr(inputShape)} must be positive integers`);
  }
}

/** The batch size of x, after checking that x is [batch, ...inputShape]. */
export function batchOf(type: string, x: Tensor, inputShape: readonly number[]): number {
  const s = x.shape;
  if (s.length !== inputShape.length + 1 || !inputShape.every((d, i) => s[i + 1] === d)) {
    throw new Error(`layer "${type}": got a batch of shape ${shapeStr(s)}, expected [batch, ${inputShape.join(', ')}]`);
  }
  if (x.data.length !== sizeOf(s)) throw new Error(`layer "${type}": tensor data does not match its shape ${shapeStr(s)}`);
  return s[0];
}
