/**
 * The engine's current classifier: the one trained last (while it trains, the live network) or the
 * one imported. The Train and Models handlers share it; `models.changed` tells the renderer.
 */
import type { Normalization } from '../data/normalize.js';
import type { ImageInput } from '../io/index.js';
import type { Sequential } from '../models/sequential.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { EpochMetrics, ModelInfo } from '../protocol/contract.js';
import { classifierFromFile, LOCUS_VERSION, type ModelFile } from '../io/index.js';
import type { EventSink } from './events.js';
import { layerRows } from './architecture.js';

export interface CurrentModel {
  model: Sequential;
  classes: string[];
  input: ImageInput;
  normalization: Normalization;
  seed: number;
  /** The settings of the run that made it (saved in the file's training record). */
  settings: Record<string, unknown>;
  /** Every epoch so far, across continued runs. */
  history: EpochMetrics[];
  /** The optimizer to continue with (null: a new one is made). */
  optimizer: Optimizer | null;
  source: 'trained' | 'imported';
  path: string | null;
  createdAt: string;
  locusVersion: string;
  /** The run that made it, or that it was opened from (null: imported from a file). */
  runId: string | null;
}

let current: CurrentModel | null = null;

export const modelStore = {
  get(): CurrentModel | null {
    return current;
  },
  set(m: CurrentModel | null, ctx?: EventSink): void {
    current = m;
    if (m && ctx) ctx.emit('models.changed', modelInfo(m));
  },
  /** Tell the renderer the current model changed (after training, export...). */
  announce(ctx: EventSink): void {
    if (current) ctx.emit('models.changed', modelInfo(current));
  },
};

export function modelInfo(m: CurrentModel): ModelInfo {
  const layers = layerRows(m.model);
  return {
    kind: 'classifier',
    source: m.source,
    path: m.path,
    classes: [...m.classes],
    input: { ...m.input },
    layers,
    params: layers.reduce((a, l) => a + l.params, 0),
    epochs: m.history.length,
    history: m.history.map((h) => ({ ...h })),
    hasOptimizer: m.optimizer !== null,
    createdAt: m.createdAt,
    locusVersion: m.locusVersion || LOCUS_VERSION,
  };
}

/** One epoch of a model file's history as the contract's EpochMetrics (absent or odd values become null / 0). */
export function toEpochMetrics(h: Record<string, number | null>, i: number): EpochMetrics {
  const n = (k: string): number | null => (typeof h[k] === 'number' && Number.isFinite(h[k]) ? h[k] : null);
  const pos = (k: string): number => Math.max(0, n(k) ?? 0);
  return { epoch: Math.max(0, Math.round(n('epoch') ?? i + 1)), trainLoss: n('trainLoss'), trainAcc: n('trainAcc'), valLoss: n('valLoss'), valAcc: n('valAcc'), lr: pos('lr'), seconds: pos('seconds') };
}

/** A classifier model file as the engine's current model (imported from path, or opened from a run). */
export function currentFromFile(file: ModelFile, from: { path: string | null; runId: string | null }): CurrentModel {
  const c = classifierFromFile(file);
  return {
    model: c.model,
    classes: c.classes,
    input: c.input,
    normalization: c.normalization,
    seed: c.training.seed,
    settings: c.training.settings,
    history: c.training.history.map((h, i) => toEpochMetrics(h, i)),
    optimizer: c.optimizer,
    source: from.runId ? 'trained' : 'imported',
    path: from.path,
    createdAt: c.createdAt,
    locusVersion: c.locusVersion,
    runId: from.runId,
  };
}

/** Make a run's saved classifier the current model (to continue it, inspect it or classify with it). */
export function openRunModel(file: ModelFile, runId: string, sink: EventSink): ModelInfo {
  if (file.kind !== 'classifier') throw new Error(`the run's model is a "${file.kind}" model, not a classifier`);
  const m = currentFromFile(file, { path: null, runId });
  modelStore.set(m, sink);
  return modelInfo(m);
}
