/**
 * One training run at a time in the engine: a ClassifierTrainer on the loaded folder, driven by
 * train.control and train.setLr, streaming train.* events. Batch events are thinned to about ten a
 * second while running (every batch while stepping) so the renderer is never flooded.
 */
import { optimizerSpec } from '../../cli/cmd-train.js';
import { relabel } from '../../cli/model.js';
import { Rng } from '../../core/rng.js';
import { channelStats } from '../../data/batch.js';
import type { ImageSet } from '../../data/folder.js';
import type { Sequential } from '../../models/sequential.js';
import type { OptimizerSpec } from '../../optim/index.js';
import { createOptimizer } from '../../optim/index.js';
import { LabError, type EpochMetrics, type TrainConfig, type TrainDone, type TrainOptimizer, type TrainRunState, type TrainStatus } from '../../protocol/contract.js';
import { ClassifierTrainer, type TrainEvent, type TrainSettings } from '../../session/classifier.js';
import { evaluate } from '../../session/evaluate.js';
import type { Context } from '../server.js';
import { workspace } from '../workspace.js';
import { modelStore, type CurrentModel } from './models-store.js';
import { buildClassifier } from './train-arch.js';
import { layerProbe } from './train-telemetry.js';

/** Least time between two batch events while running, ms. */
const BATCH_EVENT_MS = 100;

interface Run {
  id: number;
  label: string;
  trainer: ClassifierTrainer;
  epochs: number;
  /** Epochs the model had before this run (a continued model). */
  epochBase: number;
  history: EpochMetrics[];
  done: TrainDone | null;
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
  };
  // Continue with the saved optimizer state when the optimizer is the same kind; its lr is the new one.
  const keep = prev?.optimizer && prev.optimizer.type === spec.type ? prev.optimizer : undefined;
  if (keep) keep.lr = cfg.optimizer.lr;
  let trainer: ClassifierTrainer;
  try {
    trainer = new ClassifierTrainer({ model, set, train, val, normalization, settings, ...(keep ? { optimizer: keep } : {}) });
  } catch (e) {
    throw invalid((e as Error).message);
  }
  const history = prev ? [...prev.history] : [];
  const id = nextId++;
  const r: Run = { id, label: cfg.label ?? `run ${id}`, trainer, epochs: cfg.epochs, epochBase: prev ? prev.history.length : 0, history, done: null };
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
      optimizer: trainer.optimizer,
      source: 'trained',
      path: prev?.path ?? null,
      createdAt: new Date().toISOString(),
      locusVersion: '',
    },
    ctx,
  );
  if (cfg.paused) trainer.control.pause();
  void drive(r, set, val, ctx);
  ctx.emit('train.state', { runId: id, state: trainer.control.state });
  const params = model.params().reduce((a, p) => a + p.value.length, 0);
  return { runId: id, params, train: train.length, val: val.length };
}

async function drive(r: Run, set: ImageSet, val: Int32Array, ctx: Context): Promise<void> {
  const { trainer } = r;
  const model = modelStore.get()!.model;
  const probe = layerProbe(model);
  let last = 0;
  let step = 0;
  const onEvent = (e: TrainEvent): void => {
    if (e.type === 'batch') {
      step++;
      const now = performance.now();
      if (trainer.control.state === 'running' && now - last < BATCH_EVENT_MS && e.batch !== e.batches) return;
      last = now;
      ctx.emit('train.batch', { runId: r.id, epoch: r.epochBase + e.epoch, batch: e.batch, batches: e.batches, step, loss: e.loss, gradNorm: e.gradNorm });
      const norms = probe.gradNorms();
      if (norms.every(Number.isFinite)) ctx.emit('train.layers', { runId: r.id, step, epoch: r.epochBase + e.epoch, layers: probe.names, gradNorm: norms });
    } else if (e.type === 'epoch') {
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
    }
  };
  let reason: TrainDone['reason'];
  let message: string;
  let bestEpoch: number | null = null;
  try {
    const done = await trainer.run(onEvent);
    reason = done.reason;
    message = done.message;
    bestEpoch = done.bestEpoch === null ? null : r.epochBase + done.bestEpoch;
  } catch (e) {
    reason = 'failed';
    message = `training failed: ${(e as Error).message}`;
  }
  const current = modelStore.get();
  let confusion: number[][] | null = null;
  if (reason !== 'diverged' && reason !== 'failed' && val.length > 0 && current) {
    confusion = evaluate(model, set, val, current.normalization).confusion;
  }
  r.done = { runId: r.id, reason, message, bestEpoch, confusion, classes: current ? [...current.classes] : [...set.classes] };
  trainer.control.stop();
  ctx.emit('train.state', { runId: r.id, state: 'stopped' });
  ctx.emit('train.done', r.done);
  if (current && current.model === model) modelStore.announce(ctx);
}

const finite = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? x : null);

function active(): Run {
  if (!run || run.done) throw new LabError({ message: 'no training run is in progress', code: 'unavailable' });
  return run;
}

export function controlRun(action: 'pause' | 'resume' | 'step' | 'stop', steps: number | undefined, ctx: Context): { state: TrainRunState } {
  const r = active();
  const c = r.trainer.control;
  if (action === 'pause') c.pause();
  else if (action === 'resume') c.resume();
  else if (action === 'stop') c.stop();
  else {
    c.pause();
    c.step(steps ?? 1);
  }
  ctx.emit('train.state', { runId: r.id, state: c.state });
  return { state: c.state };
}

export function setRunLr(lr: number): { lr: number } {
  const r = active();
  r.trainer.optimizer.lr = lr;
  return { lr };
}

export function runStatus(): TrainStatus | null {
  if (!run) return null;
  return {
    runId: run.id,
    label: run.label,
    state: run.done ? 'stopped' : run.trainer.control.state,
    epochs: run.epochBase + run.epochs,
    history: run.history.slice(run.epochBase),
    done: run.done,
  };
}

/** True while a run has not finished (other handlers refuse to swap the model under it). */
export const training = (): boolean => run !== null && run.done === null;
