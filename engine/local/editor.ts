/**
 * Prototype editing for every prototype model: set, move (a drag), add, remove and freeze a prototype,
 * each answered with the samples that changed prototype. Training code skips frozen prototypes.
 */
import { Assignment, type Reassignment } from './assignment.js';
import type { PrototypeStore } from './prototypes.js';
import type { Scorer } from './scorer.js';

/** What a model exposes so its prototypes can be edited and drawn. */
export interface PrototypeModel {
  /** Input dimension. */
  readonly dim: number;
  readonly prototypes: PrototypeStore;
  /** How samples are matched to this model's prototypes. */
  scorer(x: Float32Array, n: number): Scorer;
  /** Prototype j in input space (for drawing and projection), into out if given. */
  prototype(j: number, out?: Float32Array): Float32Array;
  /** Replace prototype j by an input-space vector. */
  setPrototype(j: number, v: Float32Array): void;
  /** Move prototype j by an input-space displacement (a drag). */
  movePrototype(j: number, delta: Float32Array): void;
  /** Append a prototype; returns its index. Models with a fixed layout (SOM) throw. */
  addPrototype(v: Float32Array): number;
  /** Remove prototype j (later ones shift down). Models with a fixed layout (SOM) throw. */
  removePrototype(j: number): void;
}

export interface EditResult extends Reassignment {
  /** The prototype the edit touched (for add: the new index). */
  index: number;
}

export class PrototypeEditor {
  readonly model: PrototypeModel;
  readonly assignment: Assignment;

  constructor(model: PrototypeModel, x: Float32Array, n: number) {
    this.model = model;
    this.assignment = new Assignment(model.scorer(x, n));
  }

  /** Best prototype per sample (-1 when none can take it). */
  get labels(): Int32Array {
    return this.assignment.labels;
  }

  set(j: number, v: Float32Array): EditResult {
    this.model.setPrototype(j, v);
    return { index: j, ...this.assignment.afterSet(j) };
  }

  move(j: number, delta: Float32Array): EditResult {
    this.model.movePrototype(j, delta);
    return { index: j, ...this.assignment.afterSet(j) };
  }

  add(v: Float32Array): EditResult {
    const j = this.model.addPrototype(v);
    return { index: j, ...this.assignment.afterAdd(j) };
  }

  remove(j: number): EditResult {
    this.model.removePrototype(j);
    return { index: j, ...this.assignment.afterRemove(j) };
  }

  /** Freezing changes no assignment; later training leaves the prototype where it is. */
  freeze(j: number, frozen = true): void {
    this.model.prototypes.setFrozen(j, frozen);
  }

  /**
   * Training moved these prototypes (e.g. one step). Few moved: incremental; many: a full pass.
   * Prototypes added by training (ART) must come through added() instead.
   */
  moved(indices: readonly number[]): Reassignment {
    if (indices.length * 4 > this.model.prototypes.count) return this.assignment.full();
    if (indices.length === 1) return this.assignment.afterSet(indices[0]);
    const parts = indices.map((j) => this.assignment.afterSet(j));
    return merge(parts);
  }

  /** Training appended prototype j. */
  added(j: number): Reassignment {
    return this.assignment.afterAdd(j);
  }

  /** Everything may have changed (after an epoch, a state load, a settings change). */
  refresh(): Reassignment {
    return this.assignment.full();
  }
}

/** Combine consecutive reassignments into one: each sample's first `from` and last `to`. */
function merge(parts: Reassignment[]): Reassignment {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  for (const p of parts) {
    for (let t = 0; t < p.samples.length; t++) {
      const i = p.samples[t];
      if (!first.has(i)) first.set(i, p.from[t]);
      last.set(i, p.to[t]);
    }
  }
  const keys = [...last.keys()].filter((i) => first.get(i) !== last.get(i)).sort((a, b) => a - b);
  return {
    samples: Int32Array.from(keys),
    from: Int32Array.from(keys.map((i) => first.get(i) as number)),
    to: Int32Array.from(keys.map((i) => last.get(i) as number)),
  };
}
