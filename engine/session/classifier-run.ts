/**
 * Classifier runs in the engine: a ClassifierSession on the loaded folder, registered in the run
 * registry (so it is listed, compared and saved like every run), driven by train.control, train.setLr
 * and train.prune, its events passed on as train.* events. One runs at a time; finished ones stay in the
 * registry. Batch events are thinned to about ten a second while running (every batch while stepping);
 * per-layer telemetry comes about twenty times an epoch.
 *
 * The figures a run ends with (header, run list, confusion matrix, the saved model) all come from the
 * model as it ends: after early stopping, the restored weights; after pruning, the pruned network.
 */
import { Rng } from '../core/rng.js';
import type { ImageSet } from '../data/folder.js';
import { growDense, insertLayer } from '../models/grow.js';
import type { Sequential } from '../models/sequential.js';
import { classifierToFile, type ClassifierFile } from '../io/index.js';
import { LabError, type EpochMetrics, type Params, type Result, type TrainConfig, type TrainDone, type TrainRunState, type TrainStatus } from '../protocol/contract.js';
import { layerRows } from './architecture.js';
import { newRunId } from '../protocol/runs.js';
import { ClassifierSession, type PruneResult, type SessionEvent } from './classifier-session.js';
import { labelledSplit, optimizerSpec, relabel, setUpClassifierRun } from './classifier-setup.js';
import { modelStore, type CurrentModel } from './current-model.js';
import { evaluate } from './evaluate.js';
import type { EventSink } from './events.js';
import type { RunRegistry } from './runs.js';
import { decisionRegions, TOY_EXTENT, toyRunData } from './toy-train.js';

/** Least time between two batch events while running, ms. */
const BATCH_EVENT_MS = 100;
/** Per-layer telemetry this many times an epoch (at most every step). */
const TELEMETRY_PER_EPOCH = 20;

/** The folder a run trains on: the images and which of them train and validate. */
export interface RunData {
  set: ImageSet;
  split: { train: Int32Array; val: Int32Array };
  valFraction: number;
}

interface Active {
  id: string;
  cfg: TrainConfig;
  session: ClassifierSession;
  set: ImageSet;
  val: Int32Array;
  train: Int32Array;
  epochs: number;
  /** Epochs the model had before this run (a continued model). */
  epochBase: number;
  /** This run's epochs. */
  history: EpochMetrics[];
  /** The model's whole history (earlier runs' epochs, then this run's). */
  full: EpochMetrics[];
  done: TrainDone | null;
  /** When the last batch event was sent (performance.now()). */
  lastBatch: number;
  sink: EventSink;
  /** A run on a 2-D toy set: its points (for train.regions); null on a folder. */
  toyPoints: Float32Array | null;
}

const finite = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? x : null);
const asRunState = (s: string): TrainRunState => (s === 'running' || s === 'paused' ? s : 'stopped');

/** A command's error (it says why it cannot apply now) as an 'unavailable' LabError. */
function command<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof LabError ? e : new LabError({ message: (e as Error).message, code: 'unavailable' });
  }
}

/** The model file of the engine's current classifier (what export writes and a run saves). */
export function currentModelFile(m: CurrentModel): ClassifierFile {
  return classifierToFile({
    model: m.model,
    classes: m.classes,
    input: m.input,
    normalization: m.normalization,
    training: { seed: m.seed, settings: m.settings, history: m.history },
    ...(m.optimizer ? { optimizer: m.optimizer } : {}),
  });
}

/** What pruning changed, to undo it: every parameter's values and mask, and the run's figures before. */
interface PruneUndo {
  runId: string;
  /** The network the snapshot is of (a growth in between makes it another one). */
  model: Sequential;
  params: { value: Float32Array; mask: Uint8Array | null }[];
  done: TrainDone | null;
  figures: Record<string, number | null>;
  confusion: number[][] | null;
}

/** Prunings that can be undone, newest last. */
const UNDO_DEPTH = 5;

export class ClassifierRuns {
  readonly registry: RunRegistry;
  #run: Active | null = null;
  #undo: PruneUndo[] = [];
  /** The current models before each growth, newest last (undo puts one back). */
  #grown: CurrentModel[] = [];

  constructor(registry: RunRegistry) {
    this.registry = registry;
  }

  /** True while a run has not finished (other handlers refuse to swap the model under it). */
  get training(): boolean {
    return this.#run !== null && this.#run.done === null;
  }

  start(cfg: TrainConfig, folder: RunData | null, sink: EventSink): Result<'train.start'> {
    if (this.training) throw new LabError({ message: 'a training run is in progress: stop it first', code: 'unavailable' });
    // A 2-D toy set named by the request takes the place of the loaded folder.
    const toy = cfg.toy ? toyRunData(cfg.toy, cfg.seed) : null;
    const data = toy ?? folder;
    if (!data) throw new LabError({ message: 'no folder is loaded: open one in Data first', code: 'unavailable' });
    if (cfg.runId !== undefined && this.registry.has(cfg.runId)) throw new LabError({ message: `a run with id "${cfg.runId}" exists already`, code: 'invalid' });
    const prev = cfg.resume ? modelStore.get() : null;
    if (cfg.resume && !prev) throw new LabError({ message: 'there is no model to continue: train or import one first', code: 'unavailable' });
    const s = setUpClassifierRun({
      set: data.set,
      split: data.split,
      architecture: cfg.architecture,
      previous: prev,
      optimizer: optimizerSpec(cfg.optimizer.type, cfg.optimizer),
      keepOptimizer: true,
      epochs: cfg.epochs,
      batchSize: cfg.batchSize,
      seed: cfg.seed,
      ...(cfg.clipNorm === undefined ? {} : { clipNorm: cfg.clipNorm }),
      patience: cfg.patience ?? null,
      hints: cfg.hints ? { mode: cfg.hints.mode, weight: cfg.hints.weight ?? 0.1, augment: { flip: cfg.hints.flip ?? false } } : null,
      telemetryEvery: 1,
    });
    s.settings.telemetryEvery = Math.max(1, Math.ceil(s.train.length / cfg.batchSize / TELEMETRY_PER_EPOCH));
    const id = cfg.runId ?? newRunId();
    const epochBase = prev ? prev.history.length : 0;
    const history = prev ? [...prev.history] : [];
    let r: Active | null = null;
    let session: ClassifierSession;
    try {
      session = new ClassifierSession({ model: s.model, set: s.set, train: s.train, val: s.val, normalization: s.normalization, settings: s.settings, ...(s.optimizer ? { optimizer: s.optimizer } : {}) }, (e) => {
        if (r) this.#relay(r, e);
      });
    } catch (e) {
      throw new LabError({ message: (e as Error).message, code: 'invalid' });
    }
    // What the run was made from, for its label: a continued model's architecture is the model's.
    const config: Record<string, unknown> = { ...cfg };
    delete config.runId;
    delete config.paused;
    delete config.label;
    delete config.name;
    if (prev) config.architecture = (prev.settings.architecture as object | undefined) ?? { preset: String(prev.settings.model ?? 'custom') };
    this.registry.create('classifier', config, { id, name: cfg.name ?? cfg.label ?? '', parent: prev?.runId ?? null });
    r = { id, cfg, session, set: s.set, val: s.val, train: s.train, epochs: cfg.epochs, epochBase, history: [], full: history, done: null, lastBatch: 0, sink, toyPoints: toy?.points ?? null };
    if (cfg.delay) session.trainer.control.setDelay(cfg.delay);
    this.#run = r;
    modelStore.set(
      {
        model: s.model,
        classes: s.classes,
        input: { channels: s.set.channels, height: s.set.height, width: s.set.width },
        normalization: s.normalization,
        seed: prev?.seed ?? cfg.seed,
        settings: { ...s.settings, architecture: prev ? config.architecture : cfg.architecture, valFraction: data.valFraction },
        history,
        optimizer: session.trainer.optimizer,
        source: 'trained',
        path: prev?.path ?? null,
        createdAt: new Date().toISOString(),
        locusVersion: '',
        runId: id,
      },
      sink,
    );
    const active = r;
    session.start(cfg.paused ?? false).then(
      () => {},
      (e: unknown) => {
        // The trainer threw (a bug or a bad layer): the run ends with the reason.
        const message = `training failed: ${(e as Error).message}`;
        active.done = { runId: id, reason: 'failed', message, bestEpoch: null, confusion: null, classes: [...s.classes], figures: {} };
        sink.emit('train.state', { runId: id, state: 'stopped' });
        sink.emit('train.done', active.done);
        void this.registry.finish(id, { outcome: { reason: 'failed', message } });
      },
    );
    const params = s.model.params().reduce((a, p) => a + p.value.length, 0);
    return { runId: id, params, train: s.train.length, val: s.val.length };
  }

  /** The figures of the model as it is now: loss and accuracy on the validation images (and on the training images). */
  #figures(r: Active): Record<string, number | null> {
    const m = modelStore.get();
    if (!m) return {};
    const out: Record<string, number | null> = {};
    if (r.val.length) {
      const e = evaluate(m.model, r.set, r.val, m.normalization);
      out.valLoss = finite(e.loss);
      out.valAcc = finite(e.accuracy);
    }
    const last = r.history.at(-1);
    out.trainLoss = finite(last?.trainLoss ?? null);
    out.trainAcc = finite(last?.trainAcc ?? null);
    out.params = m.model.params().reduce((a, p) => a + p.value.length, 0);
    return out;
  }

  /** A session event as the contract's train.* event. */
  #relay(r: Active, e: SessionEvent): void {
    const state = r.session.trainer.control.state;
    const sink = r.sink;
    switch (e.type) {
      case 'batch': {
        const now = performance.now();
        if (state === 'running' && now - r.lastBatch < BATCH_EVENT_MS && e.batch !== e.batches) return;
        r.lastBatch = now;
        sink.emit('train.batch', { runId: r.id, epoch: r.epochBase + e.epoch, batch: e.batch, batches: e.batches, step: e.step, loss: e.loss, gradNorm: e.gradNorm });
        return;
      }
      case 'telemetry': {
        const ok = (a: number[]) => a.every(Number.isFinite);
        if (!ok(e.gradNorm) || !ok(e.weightNorm) || !ok(e.updateRatio)) return;
        const activations = e.activations.map((a) => ({ name: a.name, mean: Number.isFinite(a.mean) ? a.mean : 0, std: Number.isFinite(a.std) ? a.std : 0, dead: a.dead, saturated: a.saturated }));
        sink.emit('train.layers', { runId: r.id, step: e.step, epoch: r.epochBase + e.epoch, layers: e.layers, gradNorm: e.gradNorm, weightNorm: e.weightNorm, updateRatio: e.updateRatio, activations, batchNorm: e.batchNorm });
        return;
      }
      case 'epoch': {
        const metrics: EpochMetrics = {
          epoch: r.epochBase + e.epoch,
          trainLoss: finite(e.trainLoss),
          trainAcc: finite(e.trainAcc),
          valLoss: finite(e.valLoss),
          valAcc: finite(e.valAcc),
          lr: e.lr,
          seconds: e.seconds,
        };
        r.history.push(metrics);
        r.full.push(metrics);
        this.registry.addEpoch(r.id, { ...metrics });
        sink.emit('train.epoch', { runId: r.id, epochs: r.epochBase + e.epochs, metrics });
        return;
      }
      case 'state':
        if (e.state === 'running' || e.state === 'paused') this.registry.setState(r.id, e.state);
        sink.emit('train.state', { runId: r.id, state: e.state === 'done' ? 'stopped' : e.state });
        return;
      case 'done': {
        const m = modelStore.get();
        const classes = m?.classes ?? [];
        const figures = this.#figures(r);
        r.done = { runId: r.id, reason: e.reason, message: e.message, bestEpoch: e.bestEpoch === null ? null : r.epochBase + e.bestEpoch, confusion: e.confusion, classes: [...classes], figures };
        sink.emit('train.done', r.done);
        const model = m && m.runId === r.id && e.reason !== 'diverged' ? currentModelFile(m) : null;
        void this.registry.finish(r.id, { outcome: { reason: e.reason, message: e.message }, figures, confusion: e.confusion, classes: [...classes], model });
        modelStore.announce(sink);
        return;
      }
      default:
        return; // inspections and prune results are answered as replies
    }
  }

  #active(): Active {
    const r = this.#run;
    if (!r || r.done) throw new LabError({ message: 'no training run is in progress', code: 'unavailable' });
    return r;
  }

  control(action: 'pause' | 'resume' | 'step' | 'stop', steps: number | undefined): { state: TrainRunState } {
    const r = this.#active();
    const reply = command(() => r.session.command(action === 'step' ? { type: 'step', steps: steps ?? 1 } : { type: action }));
    return { state: asRunState((reply as { state: string }).state) };
  }

  /** Slow motion: each batch of the run in progress waits `delay` ms (0: full speed). */
  speed(delay: number): { delay: number } {
    const control = this.#active().session.trainer.control;
    control.setDelay(delay);
    return { delay: control.delay };
  }

  /**
   * The decision regions of a run on a 2-D toy set (running, paused or finished): the model's class and
   * confidence over a size x size grid of the plane, with the set's points, classes and split.
   */
  regions(size: number): Result<'train.regions'> {
    const r = this.#run;
    if (!r || !r.toyPoints) throw new LabError({ message: 'decision regions need a run on a 2-D toy set: start one with Data source "2-D toy set"', code: 'unavailable' });
    const m = modelStore.get();
    if (!m || m.runId !== r.id) throw new LabError({ message: "the toy run's model is no longer the current model (another was opened or trained)", code: 'unavailable' });
    const val = new Uint8Array(r.set.n);
    for (const i of r.val) val[i] = 1;
    return { runId: r.id, extent: TOY_EXTENT, grid: decisionRegions(m.model, m.normalization, size), points: r.toyPoints, labels: r.set.labels, val, classes: [...r.set.classes] };
  }

  setLr(lr: number): { lr: number } {
    const r = this.#active();
    const reply = command(() => r.session.command({ type: 'setLr', lr }) as { lr: number });
    // The run's label says the learning rate as of now.
    const s = this.registry.get(r.id).summary;
    this.registry.setConfig(r.id, { ...s.config, optimizer: { ...(s.config.optimizer as object), lr: reply.lr } });
    return reply;
  }

  /**
   * Prune the run's network while it is paused or after it finished. The run's figures, confusion
   * matrix and saved model become the pruned network's.
   */
  async prune(fraction: number, units: boolean): Promise<Result<'train.prune'>> {
    const r = this.#run;
    if (!r) throw new LabError({ message: 'there is no training run to prune: train a model first', code: 'unavailable' });
    const before = modelStore.get();
    const saved = this.registry.get(r.id);
    const undo: PruneUndo | null =
      before && before.runId === r.id
        ? { runId: r.id, model: before.model, params: before.model.params().map((q) => ({ value: q.value.slice(), mask: q.mask ? q.mask.slice() : null })), done: r.done, figures: saved.summary.figures, confusion: saved.confusion }
        : null;
    const p = command(() => r.session.command({ type: 'prune', fraction, units })) as PruneResult;
    if (undo) this.#undo = [...this.#undo.filter((u) => u.runId === r.id), undo].slice(-UNDO_DEPTH);
    const m = modelStore.get();
    let confusion: number[][] | null = null;
    if (m && r.val.length) confusion = evaluate(m.model, r.set, r.val, m.normalization).confusion;
    const figures = this.#figures(r);
    if (r.done) {
      r.done = { ...r.done, confusion, figures };
      if (m && m.runId === r.id) await this.registry.revise(r.id, currentModelFile(m), { ...figures, pruned: p.report.pruned / Math.max(1, p.report.total) }, confusion);
    }
    return { mode: p.report.mode, pruned: p.report.pruned, total: p.report.total, accuracyBefore: finite(p.accuracyBefore), accuracyAfter: finite(p.accuracyAfter), confusion, figures, undoable: this.#undo.length };
  }

  /** Undo the last pruning of the run: its weights, masks, figures and confusion matrix as they were. */
  async unprune(): Promise<Result<'train.unprune'>> {
    const r = this.#run;
    const u = this.#undo.at(-1);
    const m = modelStore.get();
    if (!r || !u || u.runId !== r.id || !m || m.runId !== r.id || m.model !== u.model) throw new LabError({ message: 'there is no pruning to undo', code: 'unavailable' });
    if (r.session.state === 'running') throw new LabError({ message: 'pause the run before undoing a pruning', code: 'unavailable' });
    this.#undo.pop();
    m.model.params().forEach((q, i) => {
      q.value.set(u.params[i].value);
      if (u.params[i].mask) q.mask = u.params[i].mask!;
      else delete q.mask;
    });
    if (r.done && u.done) r.done = { ...r.done, confusion: u.done.confusion, figures: u.done.figures };
    if (r.done) await this.registry.revise(r.id, currentModelFile(m), { ...u.figures, pruned: null }, u.confusion);
    return { figures: u.figures, confusion: u.confusion, undoable: this.#undo.length };
  }

  /** Accuracy of a network on the loaded folder's validation images (all labelled ones without a split), or null. */
  #accuracy(model: Sequential, m: CurrentModel, data: RunData | null): number | null {
    if (!data) return null;
    const { set } = data;
    if (set.channels !== m.input.channels || set.height !== m.input.height || set.width !== m.input.width) return null;
    const re = relabel(set, m.classes).set;
    const { train, val } = labelledSplit(re, data.split);
    const on = val.length ? val : train;
    return on.length ? finite(evaluate(model, re, on, m.normalization).accuracy) : null;
  }

  /** Grow the current model (units of a dense layer, or an inserted layer); it becomes the current model. */
  grow(p: Params<'train.grow'>, data: RunData | null, sink: EventSink): Result<'train.grow'> {
    if (this.training) throw new LabError({ message: 'a run is training this model: let it finish or stop it before growing the network', code: 'unavailable' });
    const m = modelStore.get();
    if (!m) throw new LabError({ message: 'there is no model to grow: train or import one first', code: 'unavailable' });
    const byUnits = p.layer !== undefined || p.units !== undefined;
    if (byUnits === (p.insert !== undefined || p.at !== undefined)) throw new LabError({ message: 'grow either units of a dense layer (layer and units) or insert a layer (insert and at)', code: 'invalid' });
    const rng = new Rng((m.seed ^ 0x6a09e667 ^ (m.history.length << 8)) >>> 0);
    let grown: Sequential;
    try {
      if (byUnits) {
        if (p.layer === undefined || p.units === undefined) throw new Error('growing units needs the layer and how many units to add');
        grown = growDense(m.model, p.layer - 1, p.units, rng);
      } else {
        if (p.insert === undefined || p.at === undefined) throw new Error('inserting needs the kind of layer and where');
        grown = insertLayer(m.model, p.at - 1, p.insert, rng);
      }
    } catch (e) {
      throw new LabError({ message: (e as Error).message, code: 'invalid' });
    }
    const count = (x: Sequential): number => x.params().reduce((a, q) => a + q.value.length, 0);
    const accuracyBefore = this.#accuracy(m.model, m, data);
    const layers = layerRows(grown);
    const how = byUnits ? { units: p.units, layer: p.layer } : { insert: p.insert, at: p.at };
    const next: CurrentModel = {
      ...m,
      model: grown,
      // The optimizer's state does not fit the new shapes: continuing starts a new optimizer.
      optimizer: null,
      settings: { ...m.settings, architecture: { layers: layers.map((l) => l.spec) }, grown: how },
      history: [...m.history],
      path: null,
    };
    const accuracyAfter = this.#accuracy(grown, next, data);
    this.#grown.push(m);
    modelStore.set(next, sink);
    return { params: { before: count(m.model), after: count(grown) }, accuracyBefore, accuracyAfter, layers, undoable: this.#grown.length };
  }

  /** Undo the last growth: the model before it is current again. */
  ungrow(sink: EventSink): Result<'train.ungrow'> {
    if (this.training) throw new LabError({ message: 'a run is training the grown model: stop it before undoing the growth', code: 'unavailable' });
    const m = this.#grown.pop();
    if (!m) throw new LabError({ message: 'there is no growth to undo', code: 'unavailable' });
    modelStore.set(m, sink);
    return { params: m.model.params().reduce((a, q) => a + q.value.length, 0), undoable: this.#grown.length };
  }

  status(): TrainStatus | null {
    const r = this.#run;
    if (!r) return null;
    return {
      runId: r.id,
      label: this.registry.title(r.id),
      state: r.done ? 'stopped' : asRunState(r.session.trainer.control.state),
      epochs: r.epochBase + r.epochs,
      history: r.history,
      done: r.done,
    };
  }
}
