/**
 * Growing a trained network without forgetting: each operation returns a new Sequential that computes
 * exactly the same function at the moment of growth, and can then learn with the new capacity.
 *  - growDense: add units to a hidden dense layer. The new units get fresh initial incoming weights,
 *    and their outgoing weights in the next dense layer start at 0, so nothing downstream changes until
 *    training moves them. A BatchNorm between the two grows too (new entries start at gamma 1, beta 0).
 *  - insertLayer 'residual': a residual block whose last layer starts at zero (y = x + 0), a pair of
 *    3x3 convolutions for image-shaped activations, of dense layers for flat ones.
 *  - insertLayer 'identity': a dense layer with W = I and b = 0 (flat activations only).
 * All other weights, BatchNorm statistics and pruning masks are copied. The optimizer's state does not
 * fit the new shapes: continue with a new optimizer.
 */
import type { Rng } from '../core/rng.js';
import type { Layer, LayerSpec, Param } from '../layers/layer.js';
import { Sequential } from './sequential.js';
import { buffersOf, paramsOf } from './walk.js';

/** Layers a unit's output passes through, element by element, on its way to the next dense layer. */
const ELEMENTWISE = new Set(['relu', 'leakyRelu', 'sigmoid', 'tanh', 'dropout', 'batchNorm']);

/** Copy a whole layer's params (values and masks) and buffers into a layer of the same spec. */
function copyLayer(from: Layer, to: Layer): void {
  const a = paramsOf(from);
  const b = paramsOf(to);
  a.forEach((p, i) => {
    b[i].value.set(p.value);
    if (p.mask) b[i].mask = new Uint8Array(p.mask);
  });
  const ba = buffersOf(from);
  const bb = buffersOf(to);
  ba.forEach((x, i) => bb[i].value.set(x.value));
}

/**
 * Copy a param into a larger one of the same rank: src [r, c] into the top-left of dst [r', c'] (rank 1
 * is a row). Entries outside keep dst's values; `zeroNew` sets them to 0 instead. Masks grow with 1s.
 */
function copyInto(src: Param, dst: Param, zeroNew: boolean): void {
  const [sr, sc] = src.shape.length === 2 ? src.shape : [1, src.shape[0]];
  const dc = dst.shape.length === 2 ? dst.shape[1] : dst.shape[0];
  if (zeroNew) dst.value.fill(0);
  for (let r = 0; r < sr; r++) for (let c = 0; c < sc; c++) dst.value[r * dc + c] = src.value[r * sc + c];
  if (src.mask) {
    const m = new Uint8Array(dst.value.length).fill(1);
    for (let r = 0; r < sr; r++) for (let c = 0; c < sc; c++) m[r * dc + c] = src.mask[r * sc + c];
    dst.mask = m;
  }
}

export function growDense(model: Sequential, layerIndex: number, extra: number, rng: Rng): Sequential {
  const layers = model.layers;
  const layer = layers[layerIndex];
  if (!layer || layer.type !== 'dense') throw new Error(`grow: layer ${layerIndex + 1} is ${layer ? `a ${layer.type}` : 'missing'}, not a dense layer`);
  if (!(Number.isInteger(extra) && extra >= 1 && extra <= 100_000)) throw new Error(`grow: add a whole number of units (1 or more), got ${extra}`);
  let consumer = -1;
  for (let j = layerIndex + 1; j < layers.length && consumer < 0; j++) {
    if (layers[j].type === 'dense') consumer = j;
    else if (!ELEMENTWISE.has(layers[j].type)) {
      throw new Error(`grow: layer ${layerIndex + 1} feeds a ${layers[j].type} (layer ${j + 1}); only units followed by activations, dropout or batchNorm and then a dense layer can grow`);
    }
  }
  if (consumer < 0) throw new Error(`grow: layer ${layerIndex + 1} is the output layer (its units are the classes)`);
  const spec = model.spec();
  const units = (spec.layers[layerIndex].units as number) + extra;
  spec.layers[layerIndex] = { ...spec.layers[layerIndex], units };
  const grown = new Sequential(spec, rng);
  layers.forEach((old, j) => {
    const neu = grown.layers[j];
    if (j === layerIndex || j === consumer || (j > layerIndex && j < consumer && old.type === 'batchNorm')) {
      const a = old.params();
      const b = neu.params();
      if (j === layerIndex) {
        a.forEach((p, i) => copyInto(p, b[i], false)); // W [in, u] into [in, u+extra], bias [u] into [u+extra]
      } else if (j === consumer) {
        copyInto(a[0], b[0], true); // W [u, v] into [u+extra, v]: new rows 0
        if (a[1]) copyInto(a[1], b[1], false);
      } else {
        a.forEach((p, i) => copyInto(p, b[i], false)); // gamma, beta: new entries keep 1 and 0
        old.buffers().forEach((x, i) => neu.buffers()[i].value.set(x.value)); // running stats: new keep 0 and 1
      }
    } else {
      copyLayer(old, neu);
    }
  });
  return grown;
}

export type InsertKind = 'residual' | 'identity';

/** Insert a layer before model.layers[at] (at = layers.length appends before nothing: not allowed). */
export function insertLayer(model: Sequential, at: number, kind: InsertKind, rng: Rng): Sequential {
  const n = model.layers.length;
  if (!(Number.isInteger(at) && at >= 0 && at < n)) throw new Error(`insert: position must be from 1 to ${n}, got ${at + 1}`);
  const shape = at === 0 ? model.inputShape : model.layers[at - 1].outputShape;
  let added: LayerSpec;
  if (kind === 'identity') {
    if (shape.length !== 1) throw new Error(`insert: an identity dense layer needs flat activations, here they are ${shape.join('x')}`);
    added = { type: 'dense', units: shape[0], init: 'glorot' };
  } else if (kind === 'residual') {
    added =
      shape.length === 3
        ? { type: 'residual', body: [{ type: 'conv2d', filters: shape[0] }, { type: 'relu' }, { type: 'conv2d', filters: shape[0] }] }
        : { type: 'residual', body: [{ type: 'dense', units: shape[0] }, { type: 'relu' }, { type: 'dense', units: shape[0] }] };
  } else {
    throw new Error(`insert: kind must be "residual" or "identity", got "${String(kind)}"`);
  }
  const spec = model.spec();
  spec.layers.splice(at, 0, added);
  const grown = new Sequential(spec, rng);
  model.layers.forEach((old, j) => copyLayer(old, grown.layers[j < at ? j : j + 1]));
  const fresh = grown.layers[at];
  if (kind === 'identity') {
    const [w, b] = fresh.params();
    w.value.fill(0);
    for (let i = 0; i < shape[0]; i++) w.value[i * shape[0] + i] = 1;
    b.value.fill(0);
  } else {
    const body = fresh.children!();
    for (const p of body[body.length - 1].params()) p.value.fill(0); // y = x + 0
  }
  return grown;
}
