/**
 * Magnitude pruning through Param.mask (0 = pruned: the value is held at 0 and the optimizers never
 * move it, see the Optimizers section of README.md). Two ways:
 *  - edges: in every weight tensor (dense and conv weights, nested layers included; biases and BatchNorm
 *    scales are not weights), the given fraction with the smallest |w| is pruned;
 *  - units: in every top-level dense or conv2d layer but the output layer, the given fraction of units
 *    (dense columns, conv filters) with the smallest incoming weight norm is pruned whole: incoming
 *    weights and bias, the unit's BatchNorm scale and shift if one follows, and its outgoing weights in
 *    the next dense or conv layer (through activations, dropout, pooling and flatten), so the unit no
 *    longer contributes anything, whatever the activation.
 * Weights already pruned count as the smallest. Masks are saved in the model file.
 */
import type { Layer, Param } from '../layers/layer.js';
import type { Sequential } from './sequential.js';
import { paramsOf, walkLayers } from './walk.js';

export interface PrunedTensor {
  /** "2 dense W" or "4.1 conv2d W" (1-based layer path, type, param). */
  name: string;
  pruned: number;
  total: number;
}

export interface PruneReport {
  mode: 'edges' | 'units';
  /** Per tensor (edges) or per layer, counting units (units). */
  items: PrunedTensor[];
  pruned: number;
  total: number;
}

function checkFraction(fraction: number): void {
  if (!(fraction >= 0 && fraction <= 1)) throw new Error(`prune: fraction must be between 0 and 1, got ${fraction}`);
}

function maskOf(p: Param): Uint8Array {
  if (!p.mask) p.mask = new Uint8Array(p.value.length).fill(1);
  return p.mask;
}

function prune(p: Param, i: number): void {
  maskOf(p)[i] = 0;
  p.value[i] = 0;
}

/** Indices 0..n-1 ordered by score ascending (ties by index, so the result is deterministic). */
function ascending(scores: Float64Array | Float32Array): Int32Array {
  const idx = Int32Array.from({ length: scores.length }, (_, i) => i);
  return idx.sort((a, b) => scores[a] - scores[b] || a - b);
}

export function pruneEdges(model: Sequential, fraction: number): PruneReport {
  checkFraction(fraction);
  const items: PrunedTensor[] = [];
  walkLayers(model.layers, (l, path) => {
    for (const p of l.params()) {
      if (!p.decay) continue;
      const abs = new Float32Array(p.value.length);
      const mask = p.mask;
      for (let i = 0; i < abs.length; i++) abs[i] = mask && mask[i] === 0 ? -1 : Math.abs(p.value[i]);
      const k = Math.round(fraction * abs.length);
      const order = ascending(abs);
      for (let t = 0; t < k; t++) prune(p, order[t]);
      items.push({ name: `${path} ${l.type} ${p.name}`, pruned: countPruned(p), total: p.value.length });
    }
  });
  return summarize('edges', items);
}

const PASS = new Set(['relu', 'leakyRelu', 'sigmoid', 'tanh', 'dropout', 'maxPool2d', 'avgPool2d']);

export function pruneUnits(model: Sequential, fraction: number): PruneReport {
  checkFraction(fraction);
  const layers = model.layers;
  const weighted = layers.map((l, i) => ({ l, i })).filter(({ l }) => l.type === 'dense' || l.type === 'conv2d');
  let last = -1;
  layers.forEach((l, i) => {
    if (paramsOf(l).length > 0) last = i;
  });
  const items: PrunedTensor[] = [];
  for (const { l, i } of weighted) {
    if (i === last) continue; // the output layer's units are the classes
    const [w, b] = l.params();
    const dense = l.type === 'dense';
    const units = dense ? w.shape[1] : w.shape[0];
    const fanIn = w.value.length / units;
    const at = (u: number, r: number) => (dense ? r * units + u : u * fanIn + r);
    const score = new Float64Array(units);
    for (let u = 0; u < units; u++) {
      let s = 0;
      for (let r = 0; r < fanIn; r++) s += w.value[at(u, r)] ** 2;
      score[u] = s;
    }
    const order = ascending(score);
    const k = Math.round(fraction * units);
    const chosen = Array.from(order.subarray(0, k));
    for (const u of chosen) {
      for (let r = 0; r < fanIn; r++) prune(w, at(u, r));
      if (b) prune(b, u);
    }
    pruneOutgoing(layers, i, units, chosen);
    items.push({ name: `${i + 1} ${l.type} units`, pruned: countDeadUnits(w, b ?? null, dense, units), total: units });
  }
  return summarize('units', items);
}

/** Mask what the pruned units feed: BatchNorm entries on the way and the next weighted layer's inputs. */
function pruneOutgoing(layers: readonly Layer[], from: number, units: number, chosen: readonly number[]): void {
  let block = 1; // inputs of the consumer per unit (a conv channel becomes H·W inputs after flatten)
  for (let j = from + 1; j < layers.length; j++) {
    const l = layers[j];
    if (PASS.has(l.type)) continue;
    if (l.type === 'batchNorm') {
      for (const p of l.params()) for (const u of chosen) prune(p, u);
      continue;
    }
    if (l.type === 'flatten') {
      block = l.inputShape.length === 3 ? l.inputShape[1] * l.inputShape[2] : 1;
      continue;
    }
    if (l.type === 'dense') {
      const w = l.params()[0];
      const out = w.shape[1];
      if (w.shape[0] !== units * block) return;
      for (const u of chosen) for (let r = u * block; r < (u + 1) * block; r++) for (let c = 0; c < out; c++) prune(w, r * out + c);
    } else if (l.type === 'conv2d') {
      const w = l.params()[0];
      const [f, ch, k1, k2] = w.shape;
      if (ch !== units || block !== 1) return;
      const kk = k1 * k2;
      for (let o = 0; o < f; o++) for (const u of chosen) for (let t = 0; t < kk; t++) prune(w, (o * ch + u) * kk + t);
    }
    return; // any other layer (residual, gate, reshape...) ends the walk: only the incoming side is pruned
  }
}

function countPruned(p: Param): number {
  if (!p.mask) return 0;
  let n = 0;
  for (let i = 0; i < p.mask.length; i++) if (p.mask[i] === 0) n++;
  return n;
}

/** Units whose incoming weights (and bias) are all pruned. */
function countDeadUnits(w: Param, b: Param | null, dense: boolean, units: number): number {
  if (!w.mask) return 0;
  const fanIn = w.value.length / units;
  let n = 0;
  for (let u = 0; u < units; u++) {
    let all = !b || (b.mask !== undefined && b.mask[u] === 0);
    for (let r = 0; r < fanIn && all; r++) all = w.mask[dense ? r * units + u : u * fanIn + r] === 0;
    if (all) n++;
  }
  return n;
}

function summarize(mode: 'edges' | 'units', items: PrunedTensor[]): PruneReport {
  return { mode, items, pruned: items.reduce((s, t) => s + t.pruned, 0), total: items.reduce((s, t) => s + t.total, 0) };
}

/** Fraction of all weights (decay params) that are pruned. */
export function sparsity(model: Sequential): number {
  let pruned = 0;
  let total = 0;
  for (const p of model.params()) {
    if (!p.decay) continue;
    pruned += countPruned(p);
    total += p.value.length;
  }
  return total ? pruned / total : 0;
}
