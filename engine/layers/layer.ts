/**
 * The contract every layer keeps (the ConvNetJS idea, typed):
 *  - forward(x, ctx) returns the output and an explicit cache of what backward needs;
 *  - backward(cache, dy) returns dx and ADDS this batch's gradients into its params' grad arrays
 *    (the trainer zeroes grads before each step; accumulation lets weights be shared);
 *  - params() returns this layer's own {value, grad} references (not its children's: models walk
 *    children() for those), which the optimizer updates in place;
 *  - buffers() returns non-trainable state saved with the model (e.g. BatchNorm running statistics);
 *  - config is the JSON-able description; DEFAULTS, frozen, serve both construction and import.
 * Shapes: inputShape and outputShape are per sample (no batch axis); tensors passed in carry the batch
 * axis first. Images are [channels, height, width]; flat features are [n].
 */
import type { Rng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import type { Arena } from '../core/arena.js';

export interface Param {
  readonly name: string;
  readonly shape: readonly number[];
  readonly value: Float32Array;
  readonly grad: Float32Array;
  /** Whether weight decay applies (weights yes, biases and BatchNorm scales no). */
  readonly decay: boolean;
  /** Pruning mask: 0 = pruned (value held at 0, grad ignored). Absent = all kept. */
  mask?: Uint8Array;
}

export interface Buffer {
  readonly name: string;
  readonly shape: readonly number[];
  readonly value: Float32Array;
}

export interface ForwardContext {
  /** Training mode: dropout active, BatchNorm uses batch statistics and updates running ones. */
  training: boolean;
  rng: Rng;
  /**
   * Where forward outputs (and the arrays a cache keeps) may come from instead of fresh arrays
   * (core/arena.ts): given only by an owner that knows every output is dead by its next reset
   * (Sequential.predict; the trainers, which reset it at each step and pass it to backward too). Layers
   * that ignore it allocate.
   */
  arena?: Arena;
}

/** A layer's JSON description: its type plus config fields (nested specs for composite layers). */
export interface LayerSpec {
  type: string;
  [key: string]: unknown;
}

export interface Layer<C extends object = object, K = unknown> {
  readonly type: string;
  readonly config: Readonly<C>;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  forward(x: Tensor, ctx: ForwardContext): { y: Tensor; cache: K };
  /**
   * forward followed by ReLU, in one pass over the output (Sequential.predict fuses a layer with a
   * ReLU layer after it when the layer has this): exactly relu(forward(x).y).
   */
  forwardRelu?(x: Tensor, ctx: ForwardContext): { y: Tensor; cache: K };
  /**
   * needInput === false: the caller will not use dx (the first layer of a network trained on data), so
   * the layer may skip computing it and return an empty tensor (shape [0]); params' grads are filled
   * either way. Layers that ignore the hint return dx as usual. `arena`: where dx (and temporaries) may
   * come from, as in ForwardContext; composite layers pass it on. paramGrads === false: the caller will
   * not read this pass's parameter gradients (it backpropagates through the layer for another network's
   * sake), so the layer may skip them; its grads then keep whatever they held, or get them added as usual.
   * paramGrads === 'set' (only ever passed to a layer whose setsGrads is true): the grads are overwritten
   * with this pass's gradients instead of added to, so the caller need not zero them first.
   */
  backward(cache: K, dy: Tensor, needInput?: boolean, arena?: Arena, paramGrads?: boolean | 'set'): Tensor;
  /** Whether backward takes paramGrads === 'set' (its gradient products then write the grads directly). */
  readonly setsGrads?: boolean;
  params(): Param[];
  buffers(): Buffer[];
  /** Sub-layers of composite layers (residual, gate), in a stable order. */
  children?(): Layer[];
}

export interface LayerFactory<C extends object = object> {
  readonly type: string;
  readonly defaults: Readonly<C>;
  /** Check a merged config (defaults + spec) from possibly untrusted JSON; throw with a clear reason. */
  validate?(config: C, inputShape: readonly number[]): void;
  create(config: C, inputShape: readonly number[], rng: Rng): Layer<C>;
}

const registry = new Map<string, LayerFactory<object>>();

/** Register a layer type. The registry refuses duplicates so construction and import never drift. */
export function registerLayer<C extends object>(f: LayerFactory<C>): void {
  if (registry.has(f.type)) throw new Error(`layer type "${f.type}" is already registered`);
  registry.set(f.type, f as unknown as LayerFactory<object>);
}

export function layerFactory(type: string): LayerFactory<object> {
  const f = registry.get(type);
  if (!f) throw new Error(`unknown layer type "${type}" (known: ${[...registry.keys()].sort().join(', ')})`);
  return f;
}

export function layerTypes(): string[] {
  return [...registry.keys()].sort();
}

/**
 * Merge a spec over a factory's defaults. Unknown keys are refused, and a key whose default is a
 * number/string/boolean/array must keep that type, so a tampered or mistyped description fails here.
 */
export function mergeConfig<C extends object>(f: LayerFactory<C>, spec: LayerSpec): C {
  const out: Record<string, unknown> = { ...(f.defaults as Record<string, unknown>) };
  for (const key of Object.keys(spec)) {
    if (key === 'type') continue;
    if (!Object.prototype.hasOwnProperty.call(f.defaults, key)) {
      throw new Error(`layer "${f.type}": unknown option "${key}"`);
    }
    const dv = (f.defaults as Record<string, unknown>)[key];
    const v = spec[key];
    const kind = (x: unknown) => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x);
    if (dv !== null && dv !== undefined && kind(dv) !== kind(v)) {
      throw new Error(`layer "${f.type}": option "${key}" must be ${kind(dv)}, got ${kind(v)}`);
    }
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new Error(`layer "${f.type}": option "${key}" must be a finite number`);
    }
    out[key] = v;
  }
  return out as C;
}

/** Build one layer from its JSON description for a given per-sample input shape. */
export function buildLayer(spec: LayerSpec, inputShape: readonly number[], rng: Rng): Layer {
  if (spec === null || typeof spec !== 'object' || typeof spec.type !== 'string') {
    throw new Error('layer spec must be an object with a string "type"');
  }
  const f = layerFactory(spec.type);
  const config = mergeConfig(f, spec);
  f.validate?.(config, inputShape);
  return f.create(config, inputShape, rng);
}

/** Build a chain of layers; returns them with the final output shape. */
export function buildChain(
  specs: readonly LayerSpec[],
  inputShape: readonly number[],
  rng: Rng,
): { layers: Layer[]; outputShape: readonly number[] } {
  const layers: Layer[] = [];
  let shape = inputShape;
  for (const s of specs) {
    const l = buildLayer(s, shape, rng);
    layers.push(l);
    shape = l.outputShape;
  }
  return { layers, outputShape: shape };
}

/** The spec of a built layer (type + config), the inverse of buildLayer. */
export function specOf(layer: Layer): LayerSpec {
  return { type: layer.type, ...(layer.config as Record<string, unknown>) };
}
