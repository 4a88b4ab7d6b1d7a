/**
 * Prior knowledge as a starting point: rules like "class A near this vector, radius r", or labelled seed
 * points, become prototypes or RBF units that training then fine-tunes.
 *  - a rule gives an RBF unit with centre c, spread r (activity e^-0.5 = 0.61 at distance r, about 1%
 *    at 3r) and output weight `strength` toward its class (a logit before the softmax), 0 elsewhere;
 *  - a labelled seed point gets radius = scale * distance to the nearest seed of another class (of any
 *    other seed when there is one class);
 *  - seedPrototypes places seed points as the first prototypes of any prototype model.
 * Freezing the rule units keeps what was given while the rest learns.
 */
import { checkMatrix, sqDist } from './distance.js';
import type { PrototypeModel } from './editor.js';
import { RbfNetwork } from './rbf.js';

export interface PriorRule {
  label: number;
  centre: Float32Array;
  radius: number;
}

export function rulesFromSeeds(points: Float32Array, labels: ArrayLike<number>, n: number, dim: number, scale = 0.5): PriorRule[] {
  checkMatrix('seed points', points, n, dim);
  if (labels.length !== n) throw new Error(`seed points: ${n} points need ${n} labels, got ${labels.length}`);
  if (n < 2) throw new Error('seed points: need at least two to derive radii');
  const single = new Set(Array.from(labels)).size === 1;
  return Array.from({ length: n }, (_, i) => {
    let best = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i || (!single && labels[j] === labels[i])) continue;
      best = Math.min(best, sqDist(points, i * dim, points, j * dim, dim));
    }
    const radius = scale * Math.sqrt(best);
    if (!(radius > 0)) throw new Error(`seed point ${i} coincides with a seed of another class`);
    return { label: labels[i], centre: Float32Array.from(points.subarray(i * dim, (i + 1) * dim)), radius };
  });
}

export function rbfFromRules(rules: readonly PriorRule[], opts: { dim: number; classes: number; strength?: number; freeze?: boolean; seed?: number }): RbfNetwork {
  const net = new RbfNetwork({ dim: opts.dim, outputs: opts.classes, task: 'classification', seed: opts.seed ?? 1 });
  const strength = opts.strength ?? 4;
  for (const r of rules) {
    if (!Number.isInteger(r.label) || r.label < 0 || r.label >= opts.classes) throw new Error(`rule label ${r.label} is not a class 0..${opts.classes - 1}`);
    if (!(r.radius > 0)) throw new Error(`rule radius must be positive, got ${r.radius}`);
    const j = net.addPrototype(r.centre, r.radius);
    net.weights[j * opts.classes + r.label] = strength;
    if (opts.freeze) net.prototypes.setFrozen(j, true);
  }
  return net;
}

/** Put n seed points in as the first prototypes (replacing existing ones, adding when there are fewer). */
export function seedPrototypes(model: PrototypeModel, points: Float32Array, n: number, freeze = false): void {
  checkMatrix('seed points', points, n, model.dim);
  for (let i = 0; i < n; i++) {
    const v = points.subarray(i * model.dim, (i + 1) * model.dim);
    const j = i < model.prototypes.count ? (model.setPrototype(i, v), i) : model.addPrototype(v);
    if (freeze) model.prototypes.setFrozen(j, true);
  }
}
