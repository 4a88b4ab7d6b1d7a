/**
 * One learner per clustering algorithm: the engine/local model, stepped N samples at a time, with what
 * the Clustering view needs around it — which prototypes a batch of steps moved, the last step's
 * result, figures of merit, and the map between the input space the plane is drawn in and the model's
 * own space (Fuzzy ART learns on [0, 1] coordinates, ART-2A on unit vectors).
 */
import { CLUSTER_SEED } from './defaults.js';
import { Art2a } from '../../local/art2a.js';
import type { ArtStep } from '../../local/art-common.js';
import type { PrototypeModel } from '../../local/editor.js';
import { FuzzyArt } from '../../local/fuzzy-art.js';
import { OnlineKMeans } from '../../local/kmeans.js';
import { Som } from '../../local/som.js';
import type { ClusterFigures, ClusterLastStep, ClusterSpec, ClusterGrid } from '../../protocol/cluster.js';
import { MAX_TRIALS } from '../../protocol/cluster.js';
import { LabError } from '../../protocol/contract.js';
import type { Source } from './source.js';

export interface StepOutcome {
  /** Prototypes training moved ('all': too many to list, or the layout changed). */
  moved: Set<number> | 'all';
  /** Whether prototypes were created (ART) or replaced (RBF centres). */
  created: boolean;
  last: ClusterLastStep | null;
}

/** Extra drawings some algorithms add to an update. */
export interface Extras {
  umatrix?: Float32Array;
  boxes?: Float32Array;
  spreads?: Float32Array;
  grid?: ClusterGrid;
}

export interface Learner {
  readonly spec: ClusterSpec;
  /** The editable prototype model (null for the mixture of experts). */
  readonly model: PrototypeModel | null;
  /** The samples as the model sees them (n x model.dim). */
  readonly data: Float32Array;
  readonly steps: number;
  readonly epoch: number;
  /** Whether prototypes can be added and removed. */
  readonly growable: boolean;
  step(count: number): StepOutcome;
  /** Prototype j in the input space the plane is drawn in. */
  display(j: number, out: Float32Array): Float32Array;
  /** Prototype j as pixel values in [0, 1] (image sources). */
  pixels(j: number, out: Float32Array): Float32Array;
  /** A displacement / a point of input space in the model's space. */
  modelDelta(delta: Float32Array): Float32Array;
  modelPoint(v: Float32Array): Float32Array;
  figures(labels: Int32Array, scores: Float64Array): ClusterFigures;
  extras(): Extras;
  /** The model's whole state (for undoing an add or a remove) and its restoration. */
  state(): unknown;
  restore(state: unknown): void;
  /** Labels of a learner without prototypes (MoE: the expert with the largest gate). */
  assign?(): Int32Array;
}

type ProtoLike = PrototypeModel & { step(x: Float32Array, n: number): { winner: number; sample: number; created: boolean; moved: { index: number }[] }; toState(): unknown };

/** The shared part of the online prototype learners. */
abstract class OnlineLearner<M extends ProtoLike> implements Learner {
  abstract readonly spec: ClusterSpec;
  model: M;
  readonly source: Source;
  readonly data: Float32Array;
  readonly growable: boolean = true;
  abstract readonly steps: number;
  abstract readonly epoch: number;

  constructor(source: Source, model: M, data: Float32Array) {
    this.source = source;
    this.model = model;
    this.data = data;
  }

  step(count: number): StepOutcome {
    const moved = new Set<number>();
    let created = false;
    let last: ClusterLastStep | null = null;
    const n = this.source.n;
    for (let s = 0; s < count; s++) {
      const r = this.model.step(this.data, n);
      if (r.created) created = true;
      for (const m of r.moved) moved.add(m.index);
      if (s === count - 1) last = this.lastStep(r);
    }
    const many = moved.size * 4 > Math.max(1, this.model.prototypes.count);
    return { moved: many ? 'all' : moved, created, last };
  }

  protected lastStep(r: { winner: number; sample: number; created: boolean }): ClusterLastStep {
    return { sample: r.sample, winner: r.winner, created: r.created };
  }

  display(j: number, out: Float32Array): Float32Array {
    return this.model.prototype(j, out);
  }
  pixels(j: number, out: Float32Array): Float32Array {
    return this.display(j, out);
  }
  modelDelta(delta: Float32Array): Float32Array {
    return delta;
  }
  modelPoint(v: Float32Array): Float32Array {
    return v;
  }
  extras(): Extras {
    return {};
  }
  state(): unknown {
    return this.model.toState();
  }
  abstract restore(state: unknown): void;
  abstract figures(labels: Int32Array, scores: Float64Array): ClusterFigures;
}

class KMeansLearner extends OnlineLearner<OnlineKMeans> {
  readonly spec: Extract<ClusterSpec, { algorithm: 'kmeans' }>;
  constructor(source: Source, spec: Extract<ClusterSpec, { algorithm: 'kmeans' }>) {
    if (spec.k > source.n) throw new LabError({ message: `k = ${spec.k} needs at least ${spec.k} samples; the source has ${source.n}`, code: 'invalid' });
    const m = new OnlineKMeans({ k: spec.k, dim: source.dim, seed: spec.seed ?? CLUSTER_SEED, rate: spec.rate, init: spec.init });
    m.init(source.x, source.n);
    super(source, m, source.x);
    this.spec = spec;
  }
  get steps(): number {
    return this.model.steps;
  }
  get epoch(): number {
    return this.model.epoch;
  }
  figures(_labels: Int32Array, scores: Float64Array): ClusterFigures {
    let inertia = 0;
    for (let i = 0; i < scores.length; i++) if (Number.isFinite(scores[i])) inertia += scores[i];
    return { inertia };
  }
  restore(state: unknown): void {
    this.model = OnlineKMeans.fromState(state as ReturnType<OnlineKMeans['toState']>);
  }
}

function artLast(r: ArtStep): ClusterLastStep {
  const out: ClusterLastStep = {
    sample: r.sample,
    winner: r.winner,
    created: r.created,
    tried: r.tried.slice(0, MAX_TRIALS).map((t) => ({ index: t.index, choice: t.choice, match: t.match, passed: t.passed })),
    triedTotal: r.tried.length,
    resonated: r.resonated,
  };
  if (r.skipped) out.skipped = r.skipped;
  return out;
}

/** A vector of the [0, 1] space the ART models learn in, mapped back to input space (in place). */
function fromUnit(source: Source, v: Float32Array): Float32Array {
  const { offset, scale } = source.unit;
  for (let t = 0; t < v.length; t++) v[t] = v[t] / scale - offset[t];
  return v;
}

/** An input-space displacement in the [0, 1] space, divided by `length` (ART-2A's unit vectors). */
function toUnitDelta(source: Source, delta: Float32Array, length: number): Float32Array {
  const s = source.unit.scale / length;
  return Float32Array.from(delta, (v) => v * s);
}

function artFigures(model: FuzzyArt | Art2a, labels: Int32Array): ClusterFigures {
  let unassigned = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] < 0) unassigned++;
  return { categories: model.prototypes.count, unassigned, vigilance: model.vigilance };
}

class FuzzyArtLearner extends OnlineLearner<FuzzyArt> {
  readonly spec: Extract<ClusterSpec, { algorithm: 'fuzzy-art' }>;
  constructor(source: Source, spec: Extract<ClusterSpec, { algorithm: 'fuzzy-art' }>) {
    const m = new FuzzyArt({ dim: source.dim, alpha: spec.alpha, beta: spec.beta, rho: spec.vigilance, maxCategories: spec.maxCategories ?? 0, seed: spec.seed ?? CLUSTER_SEED });
    super(source, m, source.unit.x);
    this.spec = spec;
  }
  get steps(): number {
    return this.model.steps;
  }
  get epoch(): number {
    return Math.floor(this.model.steps / this.source.n);
  }
  protected override lastStep(r: ArtStep): ClusterLastStep {
    return artLast(r);
  }
  // Fuzzy ART works on [0, 1] coordinates.
  override display(j: number, out: Float32Array): Float32Array {
    return fromUnit(this.source, this.model.prototype(j, out));
  }
  override modelDelta(delta: Float32Array): Float32Array {
    return toUnitDelta(this.source, delta, 1);
  }
  override modelPoint(v: Float32Array): Float32Array {
    const { offset, scale } = this.source.unit;
    return Float32Array.from(v, (a, t) => Math.min(1, Math.max(0, (a + offset[t]) * scale)));
  }
  figures(labels: Int32Array): ClusterFigures {
    return artFigures(this.model, labels);
  }
  /** On 2-D sets (drawn as they are) each category is a box of the plane. */
  override extras(): Extras {
    if (this.source.dim !== 2 || this.source.image) return {};
    const k = this.model.prototypes.count;
    const out = new Float32Array(4 * k);
    for (let j = 0; j < k; j++) {
      const { lower, upper } = this.model.box(j);
      out.set(fromUnit(this.source, lower), 4 * j);
      out.set(fromUnit(this.source, upper), 4 * j + 2);
    }
    return { boxes: out };
  }
  restore(state: unknown): void {
    this.model = FuzzyArt.fromState(state as ReturnType<FuzzyArt['toState']>);
  }
}

class Art2aLearner extends OnlineLearner<Art2a> {
  readonly spec: Extract<ClusterSpec, { algorithm: 'art2a' }>;
  constructor(source: Source, spec: Extract<ClusterSpec, { algorithm: 'art2a' }>) {
    const theta = (spec.theta ?? 0) / Math.sqrt(source.dim);
    const m = new Art2a({ dim: source.dim, beta: spec.beta, rho: spec.vigilance, theta, maxCategories: spec.maxCategories ?? 0, seed: spec.seed ?? CLUSTER_SEED });
    super(source, m, source.unit.x);
    this.spec = spec;
  }
  get steps(): number {
    return this.model.steps;
  }
  get epoch(): number {
    return Math.floor(this.model.steps / this.source.n);
  }
  protected override lastStep(r: ArtStep): ClusterLastStep {
    return artLast(r);
  }
  // Unit-length categories (of the [0, 1] samples: ART-2A needs non-negative inputs) are drawn at the samples' mean length.
  override display(j: number, out: Float32Array): Float32Array {
    this.model.prototype(j, out);
    const s = this.source.unit.meanNorm;
    for (let t = 0; t < out.length; t++) out[t] *= s;
    return fromUnit(this.source, out);
  }
  /** As an image: scaled so the brightest pixel is 1. */
  override pixels(j: number, out: Float32Array): Float32Array {
    this.model.prototype(j, out);
    let mx = 0;
    for (let t = 0; t < out.length; t++) if (out[t] > mx) mx = out[t];
    if (mx > 0) for (let t = 0; t < out.length; t++) out[t] /= mx;
    return out;
  }
  override modelDelta(delta: Float32Array): Float32Array {
    return toUnitDelta(this.source, delta, this.source.unit.meanNorm);
  }
  figures(labels: Int32Array): ClusterFigures {
    return artFigures(this.model, labels);
  }
  restore(state: unknown): void {
    this.model = Art2a.fromState(state as ReturnType<Art2a['toState']>);
  }
}

class SomLearner extends OnlineLearner<Som> {
  readonly spec: Extract<ClusterSpec, { algorithm: 'som' }>;
  override readonly growable = false;
  constructor(source: Source, spec: Extract<ClusterSpec, { algorithm: 'som' }>) {
    const total = spec.epochs * source.n;
    const sched = (s: typeof spec.rate) => (s.end === undefined ? { kind: s.kind, start: s.start, total } : { kind: s.kind, start: s.start, end: s.end, total });
    const m = new Som({
      dim: source.dim,
      width: spec.width,
      height: spec.height,
      topology: spec.topology,
      neighbourhood: spec.neighbourhood,
      rate: sched(spec.rate),
      radius: sched(spec.radius),
      seed: spec.seed ?? CLUSTER_SEED,
    });
    if (spec.width * spec.height < 2) throw new LabError({ message: 'a SOM needs at least two units', code: 'invalid' });
    m.init(source.x, source.n, spec.init);
    super(source, m, source.x);
    this.spec = spec;
  }
  get steps(): number {
    return this.model.steps;
  }
  get epoch(): number {
    return Math.floor(this.model.steps / this.source.n);
  }
  override step(count: number): StepOutcome {
    const r = super.step(count);
    return { ...r, moved: 'all' };
  }
  figures(): ClusterFigures {
    const e = this.model.errors(this.data, this.source.n);
    const { eta, sigma } = this.model.current();
    return { qe: e.quantizationError, te: e.topographicError, eta, sigma };
  }
  override extras(): Extras {
    return { umatrix: Float32Array.from(this.model.uMatrix('mean')) };
  }
  restore(state: unknown): void {
    this.model = Som.fromState(state as ReturnType<Som['toState']>);
  }
}

export function isSom(l: Learner): l is Learner & { model: Som } {
  return l instanceof SomLearner;
}

export function isArt(l: Learner): l is Learner & { model: FuzzyArt | Art2a } {
  return l instanceof FuzzyArtLearner || l instanceof Art2aLearner;
}

/** The learner for a spec on a source, initialized (k-means seeds, SOM units). */
export function prototypeLearner(source: Source, spec: ClusterSpec): Learner | null {
  switch (spec.algorithm) {
    case 'kmeans':
      return new KMeansLearner(source, spec);
    case 'fuzzy-art':
      return new FuzzyArtLearner(source, spec);
    case 'art2a':
      return new Art2aLearner(source, spec);
    case 'som':
      return new SomLearner(source, spec);
    default:
      return null;
  }
}
