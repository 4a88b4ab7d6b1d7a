/**
 * The two supervised local models of the Clustering view, on 2-D toy sets: an RBF network trained
 * stage by stage (centres, spreads, weights, then supervised fine-tuning epochs) and a mixture of
 * linear experts with a softmax gate (one epoch per step). Both draw their decision regions (and the
 * gate's regions) as a coarse grid over the plane.
 */
import { CLUSTER_SEED } from './defaults.js';
import { MixtureOfExperts } from '../../local/moe.js';
import { oneHot, RbfNetwork } from '../../local/rbf.js';
import { trainCentres, trainSpreads, trainSupervised, trainWeights } from '../../local/rbf-train.js';
import type { ClusterFigures, ClusterGrid, ClusterSpec, PlaneBounds } from '../../protocol/cluster.js';
import { LabError } from '../../protocol/contract.js';
import type { Extras, Learner, StepOutcome } from './learners.js';
import type { Source } from './source.js';

/** Cells per side of the decision-region grid. */
export const GRID_SIZE = 48;
const FINE_TUNE = { rate: 0.05, batch: 16 };

function classesOf(source: Source): number {
  return Math.max(2, source.classes.length);
}

/** Centre of grid cell (gx, gy) of a size x size grid over the bounds, into v. */
function cellCentre(b: PlaneBounds, size: number, gx: number, gy: number, v: Float32Array): Float32Array {
  v[0] = b.x0 + ((gx + 0.5) / size) * (b.x1 - b.x0);
  v[1] = b.y0 + ((gy + 0.5) / size) * (b.y1 - b.y0);
  return v;
}

function argmax(v: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
  return b;
}

/** Accuracy of predictions against the source's classes. */
function accuracy(source: Source, predict: (xo: number) => number): number {
  let ok = 0;
  for (let i = 0; i < source.n; i++) if (predict(i * 2) === source.labels[i]) ok++;
  return ok / source.n;
}

class RbfLearner implements Learner {
  readonly spec: Extract<ClusterSpec, { algorithm: 'rbf' }>;
  readonly source: Source;
  readonly data: Float32Array;
  readonly growable = true;
  readonly targets: Float32Array;
  model: RbfNetwork;
  /** Hybrid stages done (0..3), then fine-tuning epochs. */
  stage = 0;
  epochs = 0;

  constructor(source: Source, spec: Extract<ClusterSpec, { algorithm: 'rbf' }>) {
    if (spec.units > source.n) throw new LabError({ message: `${spec.units} units need at least as many samples; the set has ${source.n}`, code: 'invalid' });
    this.spec = spec;
    this.source = source;
    this.data = source.x;
    this.targets = oneHot(source.labels, classesOf(source));
    this.model = new RbfNetwork({ dim: 2, outputs: classesOf(source), task: 'classification', seed: spec.seed ?? CLUSTER_SEED });
  }

  get steps(): number {
    return this.stage + this.epochs;
  }
  get epoch(): number {
    return this.epochs;
  }

  /** The next stage (centres, spreads, weights), then one fine-tuning epoch per step. */
  step(count: number): StepOutcome {
    const { x, n } = this.source;
    for (let s = 0; s < count; s++) {
      if (this.stage === 0) trainCentres(this.model, x, n, { k: this.spec.units });
      else if (this.stage === 1) trainSpreads(this.model, x, n, this.spec.spreadRule, this.spec.spreadScale);
      else if (this.stage === 2) trainWeights(this.model, x, this.targets, n, { method: 'least-squares', ridge: 1e-3 });
      else {
        trainSupervised(this.model, x, this.targets, n, { epochs: 1, ...FINE_TUNE });
        this.epochs++;
      }
      if (this.stage < 3) this.stage++;
    }
    return { moved: 'all', created: true, last: null };
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

  figures(): ClusterFigures {
    const f: ClusterFigures = { stage: this.stage, epochs: this.epochs };
    if (this.stage >= 3 && this.model.units > 0) {
      f.loss = this.model.loss(this.source.x, this.targets, this.source.n);
      f.accuracy = accuracy(this.source, (xo) => this.model.predictClass(this.source.x, xo));
    }
    return f;
  }

  extras(): Extras {
    const out: Extras = {};
    if (this.stage >= 2) out.spreads = Float32Array.from(this.model.spreads);
    if (this.stage >= 3 && this.model.units > 0) {
      out.grid = grid(this.source.bounds, (v, probs) => this.model.predict(v, 0, probs), classesOf(this.source));
    }
    return out;
  }

  state(): unknown {
    return { net: this.model.toState(), stage: this.stage, epochs: this.epochs };
  }
  restore(state: unknown): void {
    const st = state as { net: ReturnType<RbfNetwork['toState']>; stage: number; epochs: number };
    this.model = RbfNetwork.fromState(st.net);
    this.stage = st.stage;
    this.epochs = st.epochs;
  }
}

class MoeLearner implements Learner {
  readonly spec: Extract<ClusterSpec, { algorithm: 'moe' }>;
  readonly source: Source;
  readonly data: Float32Array;
  readonly growable = false;
  readonly model = null;
  readonly targets: Float32Array;
  moe: MixtureOfExperts;
  epochs = 0;

  constructor(source: Source, spec: Extract<ClusterSpec, { algorithm: 'moe' }>) {
    this.spec = spec;
    this.source = source;
    this.data = source.x;
    this.targets = oneHot(source.labels, classesOf(source));
    this.moe = new MixtureOfExperts({ dim: 2, outputs: classesOf(source), experts: spec.experts, mode: spec.mode, seed: spec.seed ?? CLUSTER_SEED });
  }

  get steps(): number {
    return this.epochs;
  }
  get epoch(): number {
    return this.epochs;
  }

  step(count: number): StepOutcome {
    this.moe.train(this.source.x, this.targets, this.source.n, { epochs: count, rate: this.spec.rate, batch: 16 });
    this.epochs += count;
    return { moved: 'all', created: false, last: null };
  }

  /** Each sample goes to the expert with the largest gate. */
  assign(): Int32Array {
    const g = new Float64Array(this.spec.experts);
    return Int32Array.from({ length: this.source.n }, (_, i) => argmax(this.moe.gates(this.source.x, 2 * i, g)));
  }

  display(): Float32Array {
    throw new LabError({ message: 'a mixture of experts has no prototypes to draw', code: 'invalid' });
  }
  pixels(): Float32Array {
    return this.display();
  }
  modelDelta(delta: Float32Array): Float32Array {
    return delta;
  }
  modelPoint(v: Float32Array): Float32Array {
    return v;
  }

  figures(): ClusterFigures {
    const y = new Float64Array(classesOf(this.source));
    return {
      loss: Math.max(0, this.moe.loss(this.source.x, this.targets, this.source.n)),
      accuracy: accuracy(this.source, (xo) => argmax(this.moe.predict(this.source.x, xo, y))),
      epochs: this.epochs,
    };
  }

  extras(): Extras {
    const E = this.spec.experts;
    const g = new Float64Array(E);
    const out = grid(this.source.bounds, (v, probs) => this.moe.predict(v, 0, probs), classesOf(this.source));
    const gate = new Uint8Array(GRID_SIZE * GRID_SIZE);
    const gateConf = new Uint8Array(GRID_SIZE * GRID_SIZE);
    const v = new Float32Array(2);
    for (let gy = 0; gy < GRID_SIZE; gy++) {
      for (let gx = 0; gx < GRID_SIZE; gx++) {
        this.moe.gates(cellCentre(this.source.bounds, GRID_SIZE, gx, gy, v), 0, g);
        const e = argmax(g);
        gate[gy * GRID_SIZE + gx] = e;
        gateConf[gy * GRID_SIZE + gx] = Math.round(255 * g[e]);
      }
    }
    return { grid: { ...out, gate, gateConf } };
  }

  state(): unknown {
    return { moe: this.moe.toState(), epochs: this.epochs };
  }
  restore(state: unknown): void {
    const st = state as { moe: ReturnType<MixtureOfExperts['toState']>; epochs: number };
    this.moe = MixtureOfExperts.fromState(st.moe);
    this.epochs = st.epochs;
  }
}

/**
 * Class and confidence per grid cell from a predictor that writes scores into its second argument
 * (probabilities, or linear outputs: the confidence is then the winner's share of the positive part).
 */
export function grid(b: PlaneBounds, predict: (v: Float32Array, out: Float64Array) => Float64Array, classes: number): ClusterGrid {
  const cls = new Uint8Array(GRID_SIZE * GRID_SIZE);
  const conf = new Uint8Array(GRID_SIZE * GRID_SIZE);
  const v = new Float32Array(2);
  const y = new Float64Array(classes);
  for (let gy = 0; gy < GRID_SIZE; gy++) {
    for (let gx = 0; gx < GRID_SIZE; gx++) {
      predict(cellCentre(b, GRID_SIZE, gx, gy, v), y);
      const c = argmax(y);
      let pos = 0;
      for (let o = 0; o < classes; o++) pos += Math.max(0, y[o]);
      cls[gy * GRID_SIZE + gx] = c;
      conf[gy * GRID_SIZE + gx] = Math.round(255 * Math.min(1, pos > 0 ? Math.max(0, y[c]) / pos : 0));
    }
  }
  return { size: GRID_SIZE, cls, conf };
}

/** The learner for an RBF or MoE spec (2-D sources only). */
export function toyLearner(source: Source, spec: ClusterSpec): Learner | null {
  if (spec.algorithm !== 'rbf' && spec.algorithm !== 'moe') return null;
  if (source.dim !== 2 || source.image) {
    throw new LabError({ message: `${spec.algorithm === 'rbf' ? 'the RBF network' : 'the mixture of experts'} runs on 2-D toy sets (pick one as the source)`, code: 'invalid' });
  }
  return spec.algorithm === 'rbf' ? new RbfLearner(source, spec) : new MoeLearner(source, spec);
}
