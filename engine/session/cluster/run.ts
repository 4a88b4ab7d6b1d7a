/**
 * One clustering run, whoever drives it (the app's worker, the `locus cluster` command): a learner on a
 * source, the assignment of every sample to its prototype (kept by PrototypeEditor), prototype edits
 * with an undo stack, and the updates a renderer is sent. Training steps pile up as "pending" and the
 * assignment catches up once per update, so a run can present thousands of samples between two frames
 * without a full pass after each one.
 */
import { PrototypeEditor } from '../../local/editor.js';
import type { Reassignment } from '../../local/assignment.js';
import { type ClusterEdit, type ClusterEditResult, type ClusterFigures, type ClusterLastStep, type ClusterRun, type ClusterSpec, type ClusterUpdate, MAX_PROTOTYPES } from '../../protocol/cluster.js';
import { LabError } from '../../protocol/contract.js';
import { isArt, isSom, type Learner, prototypeLearner, type StepOutcome } from './learners.js';
import type { Source } from './source.js';
import { toyLearner } from './toy-learners.js';
import { UndoStack } from './undo.js';

/** Up to this many samples every update carries the whole assignment; above it, what changed. */
export const FULL_LABELS_UP_TO = 4096;
/** Prototype images are re-sent at most this often while training (edits always send them). */
const IMAGES_EVERY_MS = 300;

const invalid = (message: string): LabError => new LabError({ message, code: 'invalid' });

export class Run {
  readonly id: number;
  readonly source: Source;
  spec!: ClusterSpec;
  learner!: Learner;
  editor: PrototypeEditor | null = null;
  readonly undo = new UndoStack();
  /** Identifies the assignment last sent; increases whenever it changes. */
  seq = 0;
  running = false;
  /** Bumped to stop the training loop that holds the previous value. */
  token = 0;
  error: string | null = null;
  #sent: Int32Array | null = null;
  #moeLabels: Int32Array | null = null;
  #pending: StepOutcome | null = null;
  #last: ClusterLastStep | null = null;
  #imagesAt = -Infinity;

  /** Most ART categories when the spec sets no limit (the app draws at most MAX_PROTOTYPES; 0: none). */
  readonly #categoryCap: number;

  constructor(id: number, source: Source, spec: ClusterSpec, opts: { categoryCap?: number } = {}) {
    this.id = id;
    this.source = source;
    this.#categoryCap = opts.categoryCap ?? MAX_PROTOTYPES;
    this.#build(spec);
  }

  #build(spec: ClusterSpec): void {
    const s = spec.algorithm === 'fuzzy-art' || spec.algorithm === 'art2a' ? { ...spec, maxCategories: spec.maxCategories || this.#categoryCap } : spec;
    const learner = prototypeLearner(this.source, s) ?? toyLearner(this.source, s);
    if (!learner) throw invalid(`unknown algorithm ${JSON.stringify((spec as { algorithm: unknown }).algorithm)}`);
    this.spec = spec;
    this.learner = learner;
    this.editor = learner.model ? new PrototypeEditor(learner.model, learner.data, this.source.n) : null;
    this.#moeLabels = learner.assign ? learner.assign() : null;
    this.#sent = null;
    this.#pending = null;
    this.#last = null;
    this.error = null;
    this.undo.clear();
  }

  reset(spec?: ClusterSpec): void {
    this.#build(spec ?? this.spec);
  }

  /** Prototype per sample (-1: none). */
  get labels(): Int32Array {
    return this.editor ? this.editor.labels : (this.#moeLabels ?? new Int32Array(this.source.n).fill(-1));
  }

  get prototypeCount(): number {
    return this.learner.model?.prototypes.count ?? 0;
  }

  /** Present `count` samples (RBF: stages / epochs; MoE: epochs). The assignment follows at the next sync. */
  train(count: number): void {
    const out = this.learner.step(count);
    this.undo.clear();
    if (out.last) this.#last = out.last;
    const p = this.#pending;
    if (!p) this.#pending = out;
    else {
      p.created ||= out.created;
      if (p.moved !== 'all') {
        if (out.moved === 'all') p.moved = 'all';
        else for (const j of out.moved) p.moved.add(j);
      }
    }
  }

  /** Bring the assignment up to date with the training done since the last sync. */
  sync(): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = null;
    if (this.editor) {
      if (p.created || p.moved === 'all') this.editor.refresh();
      else if (p.moved.size > 0) this.editor.moved([...p.moved]);
    } else if (this.learner.assign) this.#moeLabels = this.learner.assign();
  }

  /** The whole run, for a renderer that (re)joins. */
  info(): ClusterRun {
    const model = this.learner.model;
    let lattice: ClusterRun['lattice'] = null;
    if (isSom(this.learner)) {
      const l = this.learner.model.lattice;
      const edges: number[] = [];
      l.neighbours.forEach((nb, u) => nb.forEach((v) => v > u && edges.push(u, v)));
      lattice = { width: l.width, height: l.height, topology: l.topology, edges: Int32Array.from(edges) };
    }
    return { runId: this.id, sourceId: this.source.id, spec: this.spec, lattice, editable: model !== null && this.learner.growable, update: this.update({ full: true, images: true }) };
  }

  /** What changed since the last message, with the figures of merit. */
  update(opts: { full?: boolean; images?: boolean } = {}): ClusterUpdate {
    this.sync();
    const model = this.learner.model;
    const k = Math.min(this.prototypeCount, MAX_PROTOTYPES);
    const src = this.source;
    const points = new Float32Array(2 * k);
    const frozen = new Uint8Array(k);
    const buf = new Float32Array(src.dim);
    for (let j = 0; j < k && model; j++) {
      src.pca.project(this.learner.display(j, buf), 0, points, 2 * j);
      frozen[j] = model.prototypes.isFrozen(j) ? 1 : 0;
    }
    const labels = this.labels;
    const sizes = new Int32Array(k);
    for (let i = 0; i < labels.length; i++) if (labels[i] >= 0 && labels[i] < k) sizes[labels[i]]++;
    const figures = this.figures();
    const u: ClusterUpdate = {
      runId: this.id,
      seq: this.seq,
      running: this.running,
      steps: this.learner.steps,
      epoch: this.learner.epoch,
      undo: this.undo.depth,
      points,
      frozen,
      sizes,
      figures,
    };
    this.#labelsInto(u, labels, opts.full === true);
    if (this.#last) u.last = this.#last;
    const now = performance.now();
    if (src.image && model && (opts.images || now - this.#imagesAt >= IMAGES_EVERY_MS)) {
      u.images = this.#images(k);
      this.#imagesAt = now;
    }
    const ex = this.learner.extras();
    if (ex.umatrix) u.umatrix = ex.umatrix;
    if (ex.boxes) u.boxes = ex.boxes.subarray(0, 4 * k);
    if (ex.spreads) u.spreads = ex.spreads.subarray(0, k);
    if (ex.grid) u.grid = ex.grid;
    if (this.error) u.error = this.error;
    return u;
  }

  /** The figures of merit of the assignment as it is now (after a sync). */
  figures(): ClusterFigures {
    this.sync();
    const labels = this.labels;
    const k = Math.min(this.prototypeCount, MAX_PROTOTYPES);
    const scores = this.editor ? this.editor.assignment.scores : new Float64Array(0);
    const figures: ClusterFigures = { ...this.learner.figures(labels, scores) };
    if (this.learner.model && k > 0 && this.spec.algorithm !== 'rbf') {
      const p = purity(labels, this.source.labels, k, this.source.classes.length);
      if (p !== null) figures.purity = p;
    }
    return figures;
  }

  /** The whole assignment (small sets, or on request) or the samples that changed since the last message. */
  #labelsInto(u: ClusterUpdate, labels: Int32Array, full: boolean): void {
    const sent = this.#sent;
    const n = labels.length;
    let changed = 0;
    if (sent) for (let i = 0; i < n; i++) if (sent[i] !== labels[i]) changed++;
    if (!sent || changed > 0) this.seq++;
    u.seq = this.seq;
    if (!sent || full || n <= FULL_LABELS_UP_TO || changed * 8 > n) {
      u.labels = Int32Array.from(labels);
    } else if (changed > 0) {
      const samples = new Int32Array(changed);
      const to = new Int32Array(changed);
      for (let i = 0, c = 0; i < n; i++) {
        if (sent[i] !== labels[i]) {
          samples[c] = i;
          to[c++] = labels[i];
        }
      }
      u.delta = { base: this.seq - 1, samples, to };
    }
    this.#sent = Int32Array.from(labels);
  }

  #images(k: number): Uint8Array {
    const src = this.source;
    const buf = new Float32Array(src.dim);
    const out = new Uint8Array(k * src.dim);
    for (let j = 0; j < k; j++) {
      this.learner.pixels(j, buf);
      for (let t = 0; t < src.dim; t++) {
        const v = buf[t] * 255;
        out[j * src.dim + t] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
    }
    return out;
  }

  setVigilance(rho: number): void {
    if (!isArt(this.learner)) throw invalid('vigilance is a setting of ART runs');
    this.sync();
    this.learner.model.vigilance = rho;
    this.editor?.refresh();
  }

  edit(e: ClusterEdit): ClusterEditResult {
    const model = this.learner.model;
    const editor = this.editor;
    if (!model || !editor) throw invalid('this run has no prototypes to edit');
    this.sync();
    const k = model.prototypes.count;
    const checkIndex = (j: number): void => {
      if (j >= k) throw invalid(`prototype ${j} does not exist (the run has ${k})`);
    };
    const src = this.source;
    const row = (i: number): Float32Array => {
      if (i >= src.n) throw invalid(`sample ${i} does not exist (the source has ${src.n})`);
      const d = model.dim;
      return Float32Array.from(this.learner.data.subarray(i * d, (i + 1) * d));
    };
    let index: number;
    let r: Reassignment;
    switch (e.op) {
      case 'move': {
        checkIndex(e.index);
        const here = new Float32Array(2);
        src.pca.project(this.learner.display(e.index, new Float32Array(src.dim)), 0, here);
        const delta = this.learner.modelDelta(src.pca.backProject(e.x - here[0], e.y - here[1]));
        const entry = { kind: 'row' as const, index: e.index, row: Float32Array.from(model.prototypes.row(e.index)) };
        this.undo.push(e.group === undefined ? entry : { ...entry, group: e.group });
        index = e.index;
        r = editor.move(e.index, delta);
        break;
      }
      case 'set': {
        checkIndex(e.index);
        const v = row(e.sample);
        this.undo.push({ kind: 'row', index: e.index, row: Float32Array.from(model.prototypes.row(e.index)) });
        index = e.index;
        r = editor.set(e.index, v);
        break;
      }
      case 'add': {
        if (!this.learner.growable) throw invalid('a SOM lattice has a fixed set of units: freeze a unit instead');
        if (k >= MAX_PROTOTYPES) throw invalid(`a run has at most ${MAX_PROTOTYPES} prototypes`);
        let v: Float32Array;
        if (e.sample !== undefined) v = row(e.sample);
        else if (e.x !== undefined && e.y !== undefined) v = this.learner.modelPoint(src.pca.unproject(e.x, e.y));
        else v = row(worstFit(editor.labels, editor.assignment.scores));
        this.undo.push({ kind: 'state', state: this.learner.state() });
        const res = editor.add(v);
        index = res.index;
        r = res;
        break;
      }
      case 'remove': {
        checkIndex(e.index);
        if (!this.learner.growable) throw invalid('a SOM lattice has a fixed set of units: freeze a unit instead');
        if (k <= 1) throw invalid('a run keeps at least one prototype');
        this.undo.push({ kind: 'state', state: this.learner.state() });
        index = e.index;
        r = editor.remove(e.index);
        break;
      }
      case 'freeze': {
        checkIndex(e.index);
        this.undo.push({ kind: 'freeze', index: e.index, was: model.prototypes.isFrozen(e.index) });
        editor.freeze(e.index, e.frozen);
        index = e.index;
        r = none();
        break;
      }
      case 'undo': {
        ({ index, r } = this.#undo());
        break;
      }
    }
    return { index, changed: { samples: r.samples, from: r.from, to: r.to }, update: this.update({ images: true }) };
  }

  #undo(): { index: number; r: Reassignment } {
    const entry = this.undo.pop();
    const model = this.learner.model;
    const editor = this.editor;
    if (!entry || !model || !editor) throw invalid('nothing to undo');
    if (entry.kind === 'row') {
      model.prototypes.set(entry.index, entry.row);
      return { index: entry.index, r: editor.assignment.afterSet(entry.index) };
    }
    if (entry.kind === 'freeze') {
      editor.freeze(entry.index, entry.was);
      return { index: entry.index, r: none() };
    }
    const before = Int32Array.from(editor.labels);
    this.learner.restore(entry.state);
    const restored = this.learner.model;
    if (!restored) throw new Error('undo: the restored model has no prototypes');
    this.editor = new PrototypeEditor(restored, this.learner.data, this.source.n);
    return { index: -1, r: diff(before, this.editor.labels) };
  }
}

function none(): Reassignment {
  return { samples: new Int32Array(0), from: new Int32Array(0), to: new Int32Array(0) };
}

function diff(before: Int32Array, after: Int32Array): Reassignment {
  const s: number[] = [];
  for (let i = 0; i < after.length; i++) if (before[i] !== after[i]) s.push(i);
  return { samples: Int32Array.from(s), from: Int32Array.from(s, (i) => before[i]), to: Int32Array.from(s, (i) => after[i]) };
}

/** The sample worst served by its prototype: one no prototype takes, else the largest score. */
export function worstFit(labels: Int32Array, scores: Float64Array): number {
  let best = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0) return i;
    if (scores[i] > scores[best]) best = i;
  }
  return best;
}

/**
 * Share of labelled samples whose prototype's most common class is their own (null without labels).
 * Samples without a prototype count as wrong.
 */
export function purity(labels: Int32Array, truth: Int32Array, k: number, classes: number): number | null {
  if (classes < 2 || k * classes > 4_000_000) return null;
  const counts = new Int32Array(k * classes);
  let labelled = 0;
  for (let i = 0; i < labels.length; i++) {
    const c = truth[i];
    if (c < 0) continue;
    labelled++;
    const j = labels[i];
    if (j >= 0 && j < k) counts[j * classes + c]++;
  }
  if (labelled === 0) return null;
  let ok = 0;
  for (let j = 0; j < k; j++) {
    let m = 0;
    for (let c = 0; c < classes; c++) m = Math.max(m, counts[j * classes + c]);
    ok += m;
  }
  return ok / labelled;
}
