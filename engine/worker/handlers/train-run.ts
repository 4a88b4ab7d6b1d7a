/**
 * One training run at a time in the engine: a ClassifierSession (engine/session) on the loaded folder,
 * driven by train.control, train.setLr and train.prune, its events passed on as train.* events. Batch
 * events are thinned to about ten a second while running (every batch while stepping); per-layer
 * telemetry comes about twenty times an epoch.
 */
import { optimizerSpec } from '../../cli/cmd-train.js';
import { relabel } from '../../cli/model.js';
import { Rng } from '../../core/rng.js';
import { channelStats } from '../../data/batch.js';
import type { ImageSet } from '../../data/folder.js';
import type { Sequential } from '../../models/sequential.js';
import type { OptimizerSpec } from '../../optim/index.js';
import { createOptimizer } from '../../optim/index.js';
import { LabError, type EpochMetrics, type Result, type TrainConfig, type TrainDone, type TrainOptimizer, type TrainRunState, type TrainStatus } from '../../protocol/contract.js';
import type { TrainSettings } from '../../session/classifier.js';
import { ClassifierSession, type PruneResult, type SessionEvent } from '../../session/classifier-session.js';
import type { Context } from '../server.js';
import { workspace } from '../workspace.js';
import { modelStore, type CurrentModel } from './models-store.js';
import { buildClassifier } from './train-arch.js';

/** Least time between two batch events while running, ms. */
const BATCH_EVENT_MS = 100;
/** Per-layer telemetry this many times an epoch (at most every step). */
const TELEMETRY_PER_EPOCH = 20;

interface Run {
  id: number;
  label: string;
  session: ClassifierSession;
  epochs: number;
  /** Epochs the model had before this run (a continued model). */
  epochBase: number;
  history: EpochMetrics[];
  done: TrainDone | null;
  /** When the last batch event was sent (performance.now()). */
  lastBatch: number;
}

let run: Run | null = null;
let nextId = 1;

export function toOptimizerSpec(o: TrainOptimizer): OptimizerSpec {
  const spec = optimizerSpec(o.type, o.lr, o.weightDecay ?? 0, o.decoupled ?? false);
  if (spec.type === 'sgd' && spec.momentum !== undefined && o.momentum !== undefined) spec.momentum = o.momentum;
  if (spec.type === 'adam' && o.biasCorrection !== undefined) spec.biasCorrection = o.biasCorrection;
  return spec;
}

/** The labelled images of each side of the workspace's split (unlabeled images cannot be trained on). */
function labelledSplit(set: ImageSet, split: { train: Int32Array; val: Int32Array }): { train: Int32Array; val: Int32Array } {
  const keep = (idx: Int32Array) => idx.filter((i) => set.labels[i] >= 0);
  return { train: keep(split.train), val: keep(split.val) };
}

function invalid(message: string): LabError {
  return new LabError({ message, code: 'invalid' });
}

export function startRun(cfg: TrainConfig, ctx: Context): { runId: number; params: number; train: number; val: number } {
  if (run && !run.done) throw new LabError({ message: 'a training run is in progress: stop it first', code: 'unavailable' });
  const data = workspace.data;
  if (!data) throw new LabError({ message: 'no folder is loaded: open one in Data first', code: 'unavailable' });
  let set = data.result.set;
  const input = [set.channels, set.height, set.width];
  const prev = cfg.resume ? modelStore.get() : null;
  if (cfg.resume && !prev) throw new LabError({ message: 'there is no model to continue: train or import one first', code: 'unavailable' });
  let model: Sequential;
  let normalization: CurrentModel['normalization'];
  let classes: string[];
  if (prev) {
    const { channels, height, width } = prev.input;
    if (channels !== set.channels || height !== set.height || width !== set.width) {
      throw invalid(`the model takes ${channels}x${height}x${width} images but the folder is loaded as ${set.channels}x${set.height}x${set.width}: reload it with that size`);
    }
    const r = relabel(set, prev.classes);
    if (r.unknown.length === set.classes.length) throw invalid(`none of the folder's classes (${set.classes.join(', ')}) is one of the model's`);
    set = r.set;
    model = prev.model;
    normalization = prev.normalization;
    classes = prev.classes;
  } else {
    if (set.classes.length < 2) throw invalid(`training needs at least 2 classes; the folder has ${set.classes.length}`);
    model = buildClassifier(cfg.architecture, input, set.classes.length, new Rng(cfg.seed));
    normalization = { kind: 'standard', ...channelStats(set, labelledSplit(set, data.split).train) };
    classes = [...set.classes];
  }
  const { train, val } = labelledSplit(set, data.split);
  if (train.length === 0) throw invalid('no labelled training images in the folder');
  const spec = toOptimizerSpec(cfg.optimizer);
  try {
    createOptimizer(spec);
  } catch (e) {
    throw invalid((e as Error).message);
  }
  const settings: TrainSettings = {
    epochs: cfg.epochs,
    batchSize: cfg.batchSize,
    seed: cfg.seed,
    optimizer: spec,
    clipNorm: cfg.clipNorm ?? 0,
    earlyStopping: cfg.patience ? { patience: cfg.patience, restoreBest: true } : null,
    telemetryEvery: Math.max(1, Math.ceil(train.length / cfg.batchSize / TELEMETRY_PER_EPOCH)),
  };
  // Continue with the saved optimizer state when the optimizer is the same kind; its lr is the new one.
  const keep = prev?.optimizer && prev.optimizer.type === spec.type ? prev.optimizer : undefined;
  if (keep) keep.lr = cfg.optimizer.lr;
  const id = nextId++;
  const epochBase = prev ? prev.history.length : 0;
  const history = prev ? [...prev.history] : [];
  let r: Run | null = null;
  let session: ClassifierSession;
  try {
    session = new ClassifierSession({ model, set, train, val, normalization, settings, ...(keep ? { optimizer: keep } : {}) }, (e) => {
      if (r) relay(r, e, ctx);
    });
  } catch (e) {
    throw invalid((e as Error).message);
  }
  r = { id, label: cfg.label ?? `run ${id}`, session, epochs: cfg.epochs, epochBase, history, done: null, lastBatch: 0 };
  run = r;
  modelStore.set(
    {
      model,
      classes,
      input: { channels: set.channels, height: set.height, width: set.width },
      normalization,
      seed: prev?.seed ?? cfg.seed,
      settings: { ...settings, architecture: cfg.architecture, valFraction: data.summary.split.valFraction },
      history,
      optimizer: session.trainer.optimizer,
      source: 'trained',
      path: prev?.path ?? null,
      createdAt: new Date().toISOString(),
      locusVersion: '',
    },
    ctx,
  );
  const finished = r;
  session.start(cfg.paused ?? false).then(
    () => modelStore.announce(ctx),
    (e: unknown) => {
      // The trainer threw (a bug or a bad layer): the run ends with the reason.
      finished.done = { runId: id, reason: 'failed', message: `training failed: ${(e as Error).message}`, bestEpoch: null, confusion: null, classes: [...classes] };
      ctx.emit('train.state', { runId: id, state: 'stopped' });
      ctx.emit('train.done', finished.done);
    },
  );
  const params = model.params().reduce((a, p) => a + p.value.length, 0);
  return { runId: id, params, train: train.length, val: val.length };
}

/** A session event as the contract's train.* event. */
function relay(r: Run, e: SessionEvent, ctx: Context): void {
  const state = r.session.trainer.control.state;
  switch (e.type) {
    case 'batch': {
      const now = performance.now();
      if (state === 'running' && now - r.lastBatch < BATCH_EVENT_MS && e.batch !== e.batches) return;
      r.lastBatch = now;
      ctx.emit('train.batch', { runId: r.id, epoch: r.epochBase + e.epoch, batch: e.batch, batches: e.batches, step: e.step, loss: e.loss, gradNorm: e.gradNorm });
      return;
    }
    case 'telemetry': {
      const ok = (a: number[]) => a.every(Number.isFinite);
      if (!ok(e.gradNorm) || !ok(e.weightNorm) || !ok(e.updateRatio)) return;
      const activations = e.activations.map((a) => ({ name: a.name, mean: Number.isFinite(a.mean) ? a.mean : 0, std: Number.isFinite(a.std) ? a.std : 0, dead: a.dead, saturated: a.saturated }));
      ctx.emit('train.layers', { runId: r.id, step: e.step, epoch: r.epochBase + e.epoch, layers: e.layers, gradNorm: e.gradNorm, weightNorm: e.weightNorm, updateRatio: e.updateRatio, activations, batchNorm: e.batchNorm });
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
      ctx.emit('train.epoch', { runId: r.id, epochs: r.epochBase + e.epochs, metrics });
      return;
    }
    case 'state':
      ctx.emit('train.state', { runId: r.id, state: e.state === 'done' ? 'stopped' : e.state });
      return;
    case 'done': {
      const classes = modelStore.get()?.classes ?? [];
      r.done = { runId: r.id, reason: e.reason, message: e.message, bestEpoch: e.bestEpoch === null ? null : r.epochBase + e.bestEpoch, confusion: e.confusion, classes: [...classes] };
      ctx.emit('train.done', r.done);
      return;
    }
    default:
      return; // inspections and prune results are answered as replies
  }
}

const finite = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? x : null);

function active(): Run {
  if (!run || run.done) throw new LabError({ message: 'no training run is in progress', code: 'unavailable' });
  return run;
}

/** A session command's error (it says why it cannot apply now) as an 'unavailable' LabError. */
function command<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof LabError ? e : new LabError({ message: (e as Error).message, code: 'unavailable' });
  }
}

const asRunState = (s: string): TrainRunState => (s === 'running' || s === 'paused' ? s : 'stopped');

export function controlRun(action: 'pause' | 'resume' | 'step' | 'stop', steps: number | undefined): { state: TrainRunState } {
  const r = active();
  const reply = command(() => r.session.command(action === 'step' ? { type: 'step', steps: steps ?? 1 } : { type: action }));
  return { state: asRunState((reply as { state: string }).state) };
}

export function setRunLr(lr: number): { lr: number } {
  const r = active();
  return command(() => r.session.command({ type: 'setLr', lr }) as { lr: number });
}

/** Prune the run's network while it is paused or after it finished. */
export function pruneRun(fraction: number, units: boolean): Result<'train.prune'> {
  if (!run) throw new LabError({ message: 'there is no training run to prune: train a model first', code: 'unavailable' });
  const r = run;
  const p = command(() => r.session.command({ type: 'prune', fraction, units })) as PruneResult;
  return { mode: p.report.mode, pruned: p.report.pruned, total: p.report.total, accuracyBefore: finite(p.accuracyBefore), accuracyAfter: finite(p.accuracyAfter) };
}

export function runStatus(): TrainStatus | null {
  if (!run) return null;
  return {
    runId: run.id,
    label: run.label,
    state: run.done ? 'stopped' : asRunState(run.session.trainer.control.state),
    epochs: run.epochBase + run.epochs,
    history: run.history.slice(run.epochBase),
    done: run.done,
  };
}

/** True while a run has not finished (other handlers refuse to swap the model under it). */
export const training = (): boolean => run !== null && run.done === null;
