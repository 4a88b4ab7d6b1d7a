/**
 * A classifier variant: the same set-up as a run in Train or `locus train` (setUpClassifierRun), trained
 * with per-layer telemetry sampled through the run, kept in the workspace as a classifier run. Its
 * figures: the last (or, early-stopped, the kept) epoch's, the median gradient norm of the first and
 * last layer, the share of dead ReLU units, the size of the first update, accuracy on shifted and
 * rotated validation images when asked.
 */
import { Rng } from '../../core/rng.js';
import { AUGMENT_DEFAULTS, randomTransform, transformImage } from '../../data/augment.js';
import type { ImageSet } from '../../data/folder.js';
import { classifierToFile } from '../../io/index.js';
import { growDense } from '../../models/grow.js';
import { pruneEdges, pruneUnits } from '../../models/prune.js';
import type { Sequential } from '../../models/sequential.js';
import { ACTIVATIONS, ArchitectureRequest, LabError, OPTIMIZER_CHOICES } from '../../protocol/contract.js';
import { arr, bool, type Infer, literal, num, obj, optional } from '../../protocol/guard.js';
import { ClassifierTrainer, type DoneEvent } from '../classifier.js';
import { optimizerSpec, setUpClassifierRun, splitLabelled } from '../classifier-setup.js';
import { evaluate } from '../evaluate.js';
import type { LayerTelemetry } from '../telemetry.js';
import { firstLayerFilters } from '../telemetry.js';
import { type DriverResult, firstPerClass, type ExperimentPicture, type ExperimentTrace, finite, median, type VariantContext } from './variant.js';

const INITS = ['he', 'heUniform', 'glorot', 'glorotUniform'] as const;

/** A plain MLP described in a few numbers (so a variant changes one of them, not a whole layer list). */
const Mlp = obj({
  depth: num({ int: true, min: 1, max: 40 }),
  units: num({ int: true, min: 1, max: 2048 }),
  activation: literal(...ACTIVATIONS),
  init: optional(literal(...INITS)),
  biasInit: optional(num({ min: -10, max: 10 })),
  batchNorm: optional(bool),
  dropout: optional(num({ min: 0, max: 0.95 })),
  /** Pairs of hidden layers wrapped in residual blocks (y = x + f(x)) after a first projection. */
  residual: optional(bool),
  /** Hidden layers after the first as highway units: y = g·f(x) + (1 − g)·x, g a learned sigmoid gate. */
  highway: optional(bool),
});

export const ClassifierExperimentConfig = obj({
  architecture: optional(ArchitectureRequest),
  mlp: optional(Mlp),
  /** Every weight (not bias) multiplied by this after initialization: > 1 to make gradients explode. */
  initGain: optional(num({ min: 0, max: 1000 })),
  optimizer: obj({
    type: literal(...OPTIMIZER_CHOICES),
    lr: optional(num({ min: 0, max: 10 })),
    weightDecay: optional(num({ min: 0, max: 10 })),
    decoupled: optional(bool),
    momentum: optional(num({ min: 0, max: 0.9999 })),
    biasCorrection: optional(bool),
  }),
  epochs: num({ int: true, min: 1, max: 1000 }),
  batchSize: num({ int: true, min: 1, max: 4096 }),
  clipNorm: optional(num({ min: 0, max: 1e9 })),
  patience: optional(num({ int: true, min: 1, max: 1000 })),
  hints: optional(obj({ mode: literal('augment', 'penalty'), weight: optional(num({ min: 0, max: 1000 })), flip: optional(bool) })),
  /** At most this many training images of each class (a small training set, to see overfitting). */
  trainPerClass: optional(num({ int: true, min: 1, max: 100_000 })),
  /** After training, remove this share of the smallest weights (or, with units, of the hidden units) and score again. */
  prune: optional(obj({ fraction: num({ min: 0, max: 0.99 }), units: optional(bool) })),
  /**
   * After `after` epochs, grow every hidden dense layer to `to` units (models/grow.ts: the new units start
   * with fresh incoming weights and zero outgoing ones, so the network computes the same function), then
   * train the remaining epochs with a new optimizer: a small net grown against a big one trained from scratch.
   */
  grow: optional(obj({ after: num({ int: true, min: 1, max: 999 }), to: num({ int: true, min: 1, max: 2048 }) })),
  /** Extra scores: 'shifted' = accuracy on validation images shifted, rotated and scaled at random. */
  evaluate: optional(arr(literal('shifted'), { max: 4 })),
});
export type ClassifierExperimentConfig = Infer<typeof ClassifierExperimentConfig>;

const invalid = (message: string): LabError => new LabError({ message, code: 'invalid' });

type LayerList = { type: string; [k: string]: unknown }[];

/** The output layer an experiment's layer list ends with: one unit per class. */
const head = (classes: number): LayerList => [{ type: 'dense', units: classes, init: 'glorot' }];

/** The hidden layers of an MLP shorthand (the output layer is added by the caller). */
export function mlpLayers(m: Infer<typeof Mlp>): LayerList {
  const init = m.init ?? (m.activation === 'relu' || m.activation === 'leakyRelu' ? 'he' : 'glorot');
  const hidden = (): LayerList => [
    { type: 'dense', units: m.units, init, ...(m.biasInit ? { biasInit: m.biasInit } : {}) },
    ...(m.batchNorm ? [{ type: 'batchNorm' }] : []),
    { type: m.activation },
    ...(m.dropout ? [{ type: 'dropout', rate: m.dropout }] : []),
  ];
  const layers: LayerList = [{ type: 'flatten' }];
  if (m.highway) {
    // A projection to the block width, then depth - 1 gated layers (the gate starts mostly carrying x).
    layers.push(...hidden());
    for (let i = 1; i < m.depth; i++) layers.push({ type: 'gate', a: hidden(), b: [], gate: [] });
    return layers;
  }
  if (!m.residual) {
    for (let i = 0; i < m.depth; i++) layers.push(...hidden());
    return layers;
  }
  // A projection to the block width, then blocks of two hidden layers around an identity shortcut.
  layers.push(...hidden());
  // depth 21: the projection and 10 blocks, as deep as the plain net of depth 21.
  for (let b = 0; b < Math.floor((m.depth - 1) / 2); b++) layers.push({ type: 'residual', body: [...hidden(), ...hidden()] });
  return layers;
}

/** The validation images, each shifted, rotated and scaled at random (seeded): a test of invariance. */
function shiftedSet(set: ImageSet, val: Int32Array, seed: number): ImageSet {
  const per = set.channels * set.height * set.width;
  const pixels = new Uint8Array(set.pixels);
  const rng = new Rng(seed ^ 0x5f1f7);
  const o = { ...AUGMENT_DEFAULTS, shift: 3, rotate: 15 };
  for (const i of val) transformImage(set.pixels, i * per, set.channels, set.height, set.width, randomTransform(rng, o), pixels, i * per);
  return { ...set, pixels };
}

/** A picture of planar float images scaled into [0, 1] each. */
function picture(key: string, label: string, im: { count: number; channels: number; height: number; width: number; data: Float32Array }): ExperimentPicture {
  const per = im.channels * im.height * im.width;
  const data = new Float32Array(im.data.length);
  for (let k = 0; k < im.count; k++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < per; j++) {
      const v = im.data[k * per + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const s = hi > lo ? 1 / (hi - lo) : 0;
    for (let j = 0; j < per; j++) data[k * per + j] = (im.data[k * per + j] - lo) * s;
  }
  return { key, label, count: im.count, channels: im.channels, height: im.height, width: im.width, data };
}

export async function classifierVariant(ctx: VariantContext): Promise<DriverResult> {
  const bad = ClassifierExperimentConfig.check(ctx.config, 'config');
  if (bad) throw invalid(`variant "${ctx.name}": ${bad}`);
  const c = ctx.config as ClassifierExperimentConfig;
  const set = ctx.data.set;
  if (!set) throw invalid('a classifier experiment needs images');
  if (c.mlp && c.architecture) throw invalid(`variant "${ctx.name}": give either mlp or architecture, not both`);
  if (c.grow && c.grow.after >= c.epochs) throw invalid(`variant "${ctx.name}": grow.after (${c.grow.after}) must be fewer than the epochs (${c.epochs})`);
  if (c.grow && c.patience) throw invalid(`variant "${ctx.name}": growth and early stopping do not go together`);
  // Layer lists (the MLP shorthand's too) are the hidden layers: the output layer is added here.
  const classes = set.classes.length;
  const architecture: ArchitectureRequest = c.mlp
    ? { layers: [...mlpLayers(c.mlp), ...head(classes)] }
    : c.architecture?.layers
      ? { ...c.architecture, layers: [...c.architecture.layers, ...head(classes)] }
      : (c.architecture ?? { preset: 'mlp' });
  const split = splitLabelled(set, ctx.experiment.data.valFraction ?? 0.2, ctx.seed);
  if (c.trainPerClass) split.train = firstPerClass(set, split.train, c.trainPerClass);
  const s = setUpClassifierRun({
    set,
    split,
    architecture,
    optimizer: optimizerSpec(c.optimizer.type, c.optimizer),
    epochs: c.epochs,
    batchSize: c.batchSize,
    seed: ctx.seed,
    clipNorm: c.clipNorm ?? 0,
    patience: c.patience ?? null,
    hints: c.hints ?? null,
    telemetryEvery: Math.max(1, Math.floor((c.epochs * Math.ceil(split.train.length / c.batchSize)) / 60)),
  });
  if (c.mlp?.residual) {
    // Each block adds its output to what passes through: with the usual initialization the signal's
    // variance would double at every block. The last layer of each block starts at 1/sqrt(blocks) of its
    // scale, so ten blocks together grow it about e-fold, not a thousandfold.
    const blocks = s.model.layers.filter((l) => l.type === 'residual');
    for (const b of blocks) {
      const last = (b.children?.() ?? []).filter((l) => l.params().length > 0).at(-1);
      for (const p of last?.params() ?? []) if (p.decay) for (let i = 0; i < p.value.length; i++) p.value[i] /= Math.sqrt(blocks.length);
    }
  }
  if (c.initGain !== undefined && c.initGain !== 1) {
    for (const p of s.model.params()) if (p.decay) for (let i = 0; i < p.value.length; i++) p.value[i] *= c.initGain;
  }
  const count = (m: Sequential): number => m.params().reduce((a, p) => a + p.value.length, 0);
  let params = count(s.model);
  const runId = ctx.registry?.create('classifier', { ...ctx.config, architecture, experiment: ctx.experiment.id, variant: ctx.name, seed: ctx.seed, data: ctx.data.source }, { name: ctx.runName }).id ?? null;

  const telemetry: LayerTelemetry[] = [];
  const history: Record<string, number | null>[] = [];
  // Training work: weights times training images presented, summed over the epochs (for a dense net
  // about a third of the multiply-adds of the forward and backward passes).
  let work = 0;
  let steps = 0;
  let stopped = false;
  /** Train `model` for `epochs` epochs, numbering its epochs and steps on from the ones before. */
  const phase = async (model: Sequential, epochs: number, seed: number): Promise<{ trainer: ClassifierTrainer; done: DoneEvent }> => {
    const epoch0 = history.length;
    const step0 = steps;
    const trainer = new ClassifierTrainer({ model, set: s.set, train: s.train, val: s.val, normalization: s.normalization, settings: { ...s.settings, epochs, seed } });
    ctx.onCancel(() => {
      stopped = true;
      trainer.control.stop();
    });
    // The first step's telemetry (the size of the first update: Adam's bias correction shows there).
    if (epoch0 === 0) trainer.requestTelemetry();
    const weights = count(model);
    let done: DoneEvent;
    try {
      done = await trainer.run((e) => {
        if (e.type === 'batch') ctx.progress((epoch0 + e.epoch - 1 + e.batch / e.batches) / c.epochs, `epoch ${epoch0 + e.epoch}/${c.epochs} · loss ${e.loss.toFixed(4)}`);
        else if (e.type === 'telemetry') telemetry.push({ ...e, step: e.step + step0 });
        else if (e.type === 'epoch') {
          const row = { epoch: epoch0 + e.epoch, trainLoss: finite(e.trainLoss), trainAcc: finite(e.trainAcc), valLoss: finite(e.valLoss), valAcc: finite(e.valAcc), lr: e.lr, seconds: e.seconds };
          history.push(row);
          work += weights * s.train.length;
          if (runId) ctx.registry?.addEpoch(runId, row);
        }
      });
    } catch (e) {
      done = { type: 'done', reason: 'diverged', message: (e as Error).message, bestEpoch: null, confusion: null };
    }
    steps += trainer.step;
    return { trainer, done };
  };
  let model = s.model;
  let { trainer, done } = await phase(model, c.grow ? c.grow.after : c.epochs, ctx.seed);
  let grownFrom: number | null = null;
  let grownAcc: { before: number; after: number } | null = null;
  if (c.grow && done.reason === 'completed' && !stopped) {
    // Every hidden dense layer (each dense layer but the output) grows to grow.to units.
    const rng = new Rng((ctx.seed ^ 0x6a09e667) >>> 0);
    const denses = model.layers.flatMap((l, i) => (l.type === 'dense' ? [i] : [])).slice(0, -1);
    grownFrom = params;
    const small = model;
    for (const i of denses) {
      const extra = c.grow.to - model.layers[i].outputShape[0];
      if (extra <= 0) continue;
      try {
        model = growDense(model, i, extra, rng);
      } catch (e) {
        throw invalid(`variant "${ctx.name}": ${(e as Error).message}`);
      }
    }
    params = count(model);
    // The grown network computes what the small one did: the same validation accuracy.
    if (s.val.length) {
      grownAcc = { before: evaluate(small, s.set, s.val, s.normalization).accuracy, after: evaluate(model, s.set, s.val, s.normalization).accuracy };
    }
    const rest = await phase(model, c.epochs - c.grow.after, (ctx.seed + 1) >>> 0);
    // The model file keeps every epoch, the small net's first.
    rest.trainer.history.unshift(...trainer.history);
    rest.trainer.history.forEach((h, i) => (h.epoch = i + 1));
    ({ trainer, done } = rest);
  }

  const kept = done.reason === 'early-stopped' && done.bestEpoch ? history[done.bestEpoch - 1] : history.at(-1);
  const figures: Record<string, number | null> = {
    valAcc: kept?.valAcc ?? null,
    valLoss: kept?.valLoss ?? null,
    trainAcc: kept?.trainAcc ?? null,
    trainLoss: kept?.trainLoss ?? null,
    gap: kept && kept.trainAcc !== null && kept.valAcc !== null ? kept.trainAcc - kept.valAcc : null,
    epochs: history.length,
    params,
    work,
    ...(grownFrom !== null ? { paramsBefore: grownFrom } : {}),
    ...(grownAcc ? { grownFromAcc: finite(grownAcc.before), grownAcc: finite(grownAcc.after) } : {}),
  };
  const names = telemetry[0]?.layers ?? [];
  if (telemetry.length) {
    figures.gradFirst = median(telemetry.map((t) => t.gradNorm[0]));
    figures.gradLast = median(telemetry.map((t) => t.gradNorm[t.gradNorm.length - 1]));
    const first = telemetry[0];
    figures.update1 = finite(first.step === 1 ? first.updateRatio.reduce((a, b) => a + b, 0) / first.updateRatio.length : null);
    const last = telemetry.at(-1)!;
    const dead = last.activations.filter((a) => a.dead !== null).map((a) => a.dead as number);
    figures.dead = dead.length ? dead.reduce((a, b) => a + b, 0) / dead.length : null;
    const sat = last.activations.filter((a) => a.saturated !== null).map((a) => a.saturated as number);
    figures.saturated = sat.length ? sat.reduce((a, b) => a + b, 0) / sat.length : null;
  }
  if (c.prune && done.reason !== 'diverged' && s.val.length) {
    // The accuracy the network had, then the pruned network's (which the run keeps).
    figures.unprunedAcc = figures.valAcc;
    const report = c.prune.units ? pruneUnits(model, c.prune.fraction) : pruneEdges(model, c.prune.fraction);
    const e = evaluate(model, s.set, s.val, s.normalization);
    figures.valAcc = finite(e.accuracy);
    figures.valLoss = finite(e.loss);
    figures.sparsity = report.total ? report.pruned / report.total : 0;
    figures.gap = figures.trainAcc !== null && figures.valAcc !== null ? figures.trainAcc - figures.valAcc : null;
  }
  if (c.evaluate?.includes('shifted') && s.val.length && done.reason !== 'diverged') {
    figures.shiftedAcc = finite(evaluate(model, shiftedSet(s.set, s.val, ctx.seed), s.val, s.normalization).accuracy);
  }
  let weightSum = 0;
  let weightCount = 0;
  for (const p of model.params()) {
    if (!p.decay) continue;
    for (const v of p.value) weightSum += v * v;
    weightCount += p.value.length;
  }
  figures.weightRms = finite(Math.sqrt(weightSum / Math.max(1, weightCount)));

  const traces: ExperimentTrace[] = [];
  if (telemetry.length) {
    const x = telemetry.map((t) => t.step);
    traces.push({ key: 'gradNorm', label: 'Gradient norm per layer', xTitle: 'step', log: true, names, x, y: names.map((_, i) => telemetry.map((t) => finite(t.gradNorm[i]))) });
    traces.push({ key: 'updateRatio', label: 'Update / weight ratio per layer', xTitle: 'step', log: true, names, x, y: names.map((_, i) => telemetry.map((t) => finite(t.updateRatio[i]))) });
    const relus = telemetry[0].activations.filter((a) => a.dead !== null).map((a) => a.name);
    if (relus.length) traces.push({ key: 'dead', label: 'Share of dead ReLU units', xTitle: 'step', names: relus, x, y: relus.map((n) => telemetry.map((t) => finite(t.activations.find((a) => a.name === n)?.dead))) });
  }
  if ((ctx.experiment.pictures ?? []).includes('weights')) {
    // The weights' histogram (every weight, not the biases): weight decay narrows it, as a Gaussian prior would.
    const all: number[] = [];
    for (const p of model.params()) if (p.decay) for (const v of p.value) all.push(v);
    const edge = 0.3;
    const bins = 41;
    const counts = new Array<number>(bins).fill(0);
    for (const v of all) counts[Math.min(bins - 1, Math.max(0, Math.floor(((v + edge) / (2 * edge)) * bins)))]++;
    const x = counts.map((_, i) => Number((-edge + ((i + 0.5) * 2 * edge) / bins).toFixed(4)));
    traces.push({ key: 'weights', label: 'Histogram of the weights (share in each bin; the outer bins gather what lies beyond ±0.3)', xTitle: 'weight', names: ['weights'], x, y: [counts.map((n) => n / Math.max(1, all.length))] });
  }
  const pictures: ExperimentPicture[] = [];
  if ((ctx.experiment.pictures ?? []).includes('filters')) {
    const f = firstLayerFilters(model);
    if (f && f.height > 1 && f.width > 1) pictures.push(picture('filters', 'First-layer filters', f));
  }

  const outcome = { reason: done.reason, message: done.message };
  if (runId && ctx.registry) {
    let file = null;
    if (done.reason !== 'diverged') {
      file = classifierToFile({
        model,
        classes: s.classes,
        input: { channels: s.set.channels, height: s.set.height, width: s.set.width },
        normalization: s.normalization,
        training: { seed: ctx.seed, settings: { ...s.settings, experiment: ctx.experiment.id, variant: ctx.name, ...(c.grow ? { grown: c.grow } : {}) }, history: trainer.history },
        optimizer: trainer.optimizer,
      });
    }
    await ctx.registry.finish(runId, { outcome, figures, confusion: done.confusion, classes: s.classes, model: file });
  }
  return { runId, config: { ...ctx.config }, history, traces, pictures, figures, outcome };
}
