/**
 * A GAN variant, of one of two modes.
 *  - toy (the default): the GAN of the GAN view's toy tab (ToyGanTrainer), trained for a number of
 *    generator steps. Its figures: the energy distance between the generated cloud and the real set, the
 *    share of the real points with a generated point near them (coverage: low when the generator
 *    collapses onto a few modes), the last losses; its picture: both clouds drawn on one plane.
 *  - image: the DCGAN of the GAN view's image tab (GanTrainer) on the experiment's images, for a number
 *    of epochs. Its figures: the last epoch's losses and D's verdicts, the confident-samples score
 *    (gan-score.ts) where the images fit its classifier; its pictures: the samples of fixed latent codes
 *    before training and after chosen epochs (the sample grid over time). Kept as a GAN run with its
 *    model file, so it can be continued and exported like one trained in the GAN view.
 */
import { TOY_NAMES } from '../../data/toy.js';
import { LabError } from '../../protocol/contract.js';
import { arr, bool, type Infer, literal, num, obj, optional } from '../../protocol/guard.js';
import { Rng } from '../../core/rng.js';
import type { ImageSet } from '../../data/folder.js';
import type { Normalization } from '../../data/normalize.js';
import { ganToFile } from '../../io/gan.js';
import type { LoadedClassifier } from '../../io/index.js';
import '../../layers/index.js';
import { Gan } from '../../models/gan.js';
import { dcganSpecs } from '../../models/gan-presets.js';
import { GAN_TRAIN_DEFAULTS, GanTrainer, type SampleGrid } from '../gan.js';
import { loadScoreClassifier, scoreFits, scoreGenerator, scoreImages } from '../gan-score.js';
import { ToyGanTrainer } from '../gan-toy.js';
import { type DriverResult, type ExperimentPicture, type ExperimentTrace, finite, median, type VariantContext } from './variant.js';

export const GanExperimentConfig = obj({
  /** 'toy' (default): the 2-D GAN on a toy set; 'image': the DCGAN on the experiment's images. */
  mode: optional(literal('toy', 'image')),
  toy: optional(literal(...TOY_NAMES)),
  points: optional(num({ int: true, min: 16, max: 20_000 })),
  /** Toy: generator steps. */
  steps: optional(num({ int: true, min: 1, max: 100_000 })),
  /** Image: epochs over the images. */
  epochs: optional(num({ int: true, min: 1, max: 1000 })),
  /** Image: the DCGAN's width (filters of its first level) and the learning rates of G and D (Adam, beta1 0.5). */
  width: optional(num({ int: true, min: 1, max: 128 })),
  lrG: optional(num({ min: 0, max: 10 })),
  lrD: optional(num({ min: 0, max: 10 })),
  /** Image: samples in each grid (fixed latent codes), and the epochs after which a grid is kept (besides the one before training). */
  grid: optional(num({ int: true, min: 1, max: 100 })),
  snapshots: optional(arr(num({ int: true, min: 1, max: 1000 }), { max: 7 })),
  batchSize: optional(num({ int: true, min: 1, max: 4096 })),
  hidden: optional(num({ int: true, min: 1, max: 512 })),
  layers: optional(num({ int: true, min: 1, max: 8 })),
  latent: optional(num({ int: true, min: 1, max: 64 })),
  /** Discriminator updates per generator update. */
  dSteps: optional(num({ int: true, min: 1, max: 20 })),
  /** The generator's loss: -log D(G(z)) (non-saturating) or log(1 - D(G(z))) (saturating). */
  nonSaturating: optional(bool),
  lr: optional(num({ min: 0, max: 10 })),
});
export type GanExperimentConfig = Infer<typeof GanExperimentConfig>;

const invalid = (message: string): LabError => new LabError({ message, code: 'invalid' });

/** Share of the real points with a generated point within `radius`. */
export function coverage(real: Float32Array, generated: Float32Array, radius: number): number {
  const n = real.length / 2;
  const m = generated.length / 2;
  const r2 = radius * radius;
  let hit = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const dx = real[2 * i] - generated[2 * j];
      const dy = real[2 * i + 1] - generated[2 * j + 1];
      if (dx * dx + dy * dy <= r2) {
        hit++;
        break;
      }
    }
  }
  return n ? hit / n : 0;
}

/** The two clouds on a size x size RGB plane over [-extent, extent]^2: real points gray, generated ones orange. */
function plane(real: Float32Array, generated: Float32Array, extent: number, size = 96): ExperimentPicture {
  const hw = size * size;
  const data = new Float32Array(3 * hw).fill(1);
  const dot = (pts: Float32Array, rgb: [number, number, number]) => {
    for (let i = 0; i < pts.length; i += 2) {
      const x = Math.floor(((pts[i] + extent) / (2 * extent)) * size);
      const y = Math.floor(((extent - pts[i + 1]) / (2 * extent)) * size);
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const px = x + dx;
          const py = y + dy;
          if (px < 0 || py < 0 || px >= size || py >= size) continue;
          for (let c = 0; c < 3; c++) data[c * hw + py * size + px] = rgb[c];
        }
      }
    }
  };
  dot(real, [0.6, 0.6, 0.6]);
  dot(generated, [0.9, 0.4, 0.05]);
  return { key: 'clouds', label: 'Real (gray) and generated (orange) points', count: 1, channels: 3, height: size, width: size, data };
}

export async function ganVariant(ctx: VariantContext): Promise<DriverResult> {
  const bad = GanExperimentConfig.check(ctx.config, 'config');
  if (bad) throw invalid(`variant "${ctx.name}": ${bad}`);
  const c = ctx.config as GanExperimentConfig;
  if (c.mode === 'image') return imageGanVariant(ctx, c);
  if (c.toy === undefined || c.steps === undefined) throw invalid(`variant "${ctx.name}": the 2-D GAN needs toy and steps`);
  return toyGanVariant(ctx, { ...c, toy: c.toy, steps: c.steps });
}

async function toyGanVariant(ctx: VariantContext, c: GanExperimentConfig & { toy: (typeof TOY_NAMES)[number]; steps: number }): Promise<DriverResult> {
  const adam = (lr: number) => ({ type: 'adam' as const, lr, beta1: 0.5 });
  let trainer: ToyGanTrainer;
  try {
    trainer = new ToyGanTrainer({
      toy: c.toy,
      seed: ctx.seed,
      steps: c.steps,
      every: Math.max(1, Math.floor(c.steps / 50)),
      ...(c.points !== undefined ? { points: c.points } : {}),
      ...(c.batchSize !== undefined ? { batchSize: c.batchSize } : {}),
      ...(c.hidden !== undefined ? { hidden: c.hidden } : {}),
      ...(c.layers !== undefined ? { layers: c.layers } : {}),
      ...(c.latent !== undefined ? { latent: c.latent } : {}),
      ...(c.dSteps !== undefined ? { dSteps: c.dSteps } : {}),
      ...(c.nonSaturating !== undefined ? { nonSaturating: c.nonSaturating } : {}),
      ...(c.lr !== undefined ? { optimizerG: adam(c.lr), optimizerD: adam(c.lr) } : {}),
    });
  } catch (e) {
    throw invalid(`variant "${ctx.name}": ${(e as Error).message}`);
  }
  const runId = ctx.registry?.create('gan', { ...ctx.config, mode: 'toy', experiment: ctx.experiment.id, variant: ctx.name, seed: ctx.seed }, { name: ctx.runName }).id ?? null;
  ctx.onCancel(() => trainer.control.stop());
  const steps: number[] = [];
  const dLoss: (number | null)[] = [];
  const gLoss: (number | null)[] = [];
  const history: Record<string, number | null>[] = [];
  const pull: (number | null)[] = [];
  const done = await trainer.run((e) => {
    if (e.type !== 'frame') return;
    ctx.progress(e.step / c.steps, `step ${e.step}/${c.steps}`);
    steps.push(e.step);
    dLoss.push(finite(e.dLoss));
    gLoss.push(finite(e.gLoss));
    // How hard the generator's loss pulls its points: the mean length of d(loss)/d(point).
    let sum = 0;
    for (let i = 0; i < e.gradient.length; i += 2) sum += Math.hypot(e.gradient[i], e.gradient[i + 1]);
    pull.push(finite(sum / Math.max(1, e.gradient.length / 2)));
  });
  const extent = trainer.settings.extent;
  const generated = trainer.generated();
  const figures: Record<string, number | null> = {
    distance: finite(trainer.distance()),
    coverage: coverage(trainer.real, generated, 0.1 * extent),
    // The first tenth of the run, when the discriminator already tells the points apart.
    pullEarly: median(pull.filter((_, i) => steps[i] > 0 && steps[i] <= Math.max(1, c.steps / 10)).map((v) => v ?? NaN)),
    dLoss: dLoss.at(-1) ?? null,
    gLoss: gLoss.at(-1) ?? null,
    steps: trainer.step,
  };
  history.push({ epoch: 1, ...figures });
  const traces: ExperimentTrace[] = [
    { key: 'losses', label: 'Discriminator and generator loss', xTitle: 'step', names: ['D loss', 'G loss'], x: steps, y: [dLoss, gLoss] },
    { key: 'pull', label: "Generator's gradient at its points (mean length)", xTitle: 'step', log: true, names: ['|d loss / d point|'], x: steps, y: [pull] },
  ];
  const outcome = { reason: done.reason, message: done.message };
  if (runId) {
    ctx.registry?.addEpoch(runId, history[0]);
    await ctx.registry?.finish(runId, { outcome, figures });
  }
  return { runId, config: { ...ctx.config }, history, traces, pictures: [plane(trainer.real, generated, extent)], figures, outcome };
}

/** The epochs after which an image run keeps its sample grid: about five, evenly spread, the last included. */
export function snapshotEpochs(epochs: number, given?: readonly number[]): number[] {
  if (given) return [...new Set(given.filter((e) => e <= epochs))].sort((a, b) => a - b);
  const out = new Set<number>();
  for (let i = 1; i <= 5; i++) out.add(Math.max(1, Math.round((epochs * i) / 5)));
  return [...out];
}

/** A grid of 8-bit samples as a picture (planar floats in [0, 1]). */
function samplesPicture(key: string, label: string, g: SampleGrid): ExperimentPicture {
  const data = new Float32Array(g.pixels.length);
  for (let i = 0; i < data.length; i++) data[i] = g.pixels[i] / 255;
  return { key, label, count: g.n, channels: g.channels, height: g.height, width: g.width, data };
}

/** The score's classifier, loaded once (null where it is missing). */
let scorer: Promise<LoadedClassifier | null> | null = null;
/** The images' own score, once per image set (every variant of an experiment shares it). */
const realScores = new WeakMap<ImageSet, number>();

function realScore(clf: LoadedClassifier, set: ImageSet): number {
  let v = realScores.get(set);
  if (v === undefined) {
    v = scoreImages(clf, set).confident;
    realScores.set(set, v);
  }
  return v;
}

async function imageGanVariant(ctx: VariantContext, c: GanExperimentConfig): Promise<DriverResult> {
  const set = ctx.data.set;
  if (!set) throw invalid(`variant "${ctx.name}": the image GAN needs images (data: sample or a folder)`);
  if (set.width !== set.height) throw invalid(`variant "${ctx.name}": the image GAN needs square images; these are ${set.width}x${set.height}`);
  const epochs = c.epochs ?? 10;
  const latent = c.latent ?? 64;
  const width = c.width ?? 16;
  const normalization: Normalization = { kind: 'symmetric' };
  const adam = (lr: number) => ({ type: 'adam' as const, lr, beta1: 0.5 });
  let gan: Gan;
  let trainer: GanTrainer;
  try {
    gan = new Gan(dcganSpecs({ channels: set.channels, size: set.width, latent, width }), new Rng(ctx.seed));
    trainer = new GanTrainer({
      gan,
      set,
      indices: Int32Array.from(set.labels.keys()),
      normalization,
      settings: {
        epochs,
        seed: ctx.seed,
        batchSize: c.batchSize ?? GAN_TRAIN_DEFAULTS.batchSize,
        optimizerG: c.lrG !== undefined ? adam(c.lrG) : GAN_TRAIN_DEFAULTS.optimizerG,
        optimizerD: c.lrD !== undefined ? adam(c.lrD) : GAN_TRAIN_DEFAULTS.optimizerD,
        dSteps: c.dSteps ?? 1,
        nonSaturating: c.nonSaturating ?? true,
        sampleEvery: 0,
        gridSize: c.grid ?? 16,
      },
    });
  } catch (e) {
    throw invalid(`variant "${ctx.name}": ${(e as Error).message}`);
  }
  scorer ??= loadScoreClassifier().catch(() => null);
  const loaded = await scorer;
  const clf = loaded && scoreFits(loaded, [set.channels, set.height, set.width]) ? loaded : null;
  const runId = ctx.registry?.create('gan', { ...ctx.config, mode: 'image', latent, width, experiment: ctx.experiment.id, variant: ctx.name, seed: ctx.seed, data: ctx.data.source }, { name: ctx.runName }).id ?? null;
  ctx.onCancel(() => trainer.control.stop());
  const keep = new Set(snapshotEpochs(epochs, c.snapshots));
  const pictures: ExperimentPicture[] = [samplesPicture('samples-0', 'Samples before training', trainer.samples())];
  const history: Record<string, number | null>[] = [];
  const done = await trainer.run((e) => {
    if (e.type === 'step') ctx.progress((e.epoch - 1 + e.batch / e.batches) / epochs, `epoch ${e.epoch}/${epochs} · D loss ${e.dLoss.toFixed(3)}`);
    else if (e.type === 'epoch') {
      const row: Record<string, number | null> = { epoch: e.epoch, dLoss: finite(e.dLoss), gLoss: finite(e.gLoss), dReal: finite(e.dReal), dFake: finite(e.dFake) };
      // The score on the grid epochs only (500 samples through the classifier each time).
      if (clf && keep.has(e.epoch)) {
        const score = scoreGenerator(clf, gan, normalization);
        row.confident = finite(score.confident);
        row.classSpread = finite(score.spread);
      }
      history.push(row);
      if (runId) ctx.registry?.addEpoch(runId, { ...row, lossD: row.dLoss, lossG: row.gLoss, seconds: e.seconds });
    } else if (e.type === 'samples' && keep.has(e.epoch) && pictures.length < 8) {
      pictures.push(samplesPicture(`samples-${e.epoch}`, `Samples after epoch ${e.epoch}`, e));
    }
  });
  const last = history.at(-1);
  const scored = history.filter((h) => typeof h.confident === 'number').at(-1);
  const figures: Record<string, number | null> = {
    dLoss: last?.dLoss ?? null,
    gLoss: last?.gLoss ?? null,
    dReal: last?.dReal ?? null,
    dFake: last?.dFake ?? null,
    steps: trainer.step,
    epochs: history.length,
    ...(scored ? { confident: scored.confident, classSpread: scored.classSpread ?? null } : {}),
    ...(clf ? { confidentReal: finite(realScore(clf, set)) } : {}),
  };
  const outcome = { reason: done.reason, message: done.message };
  if (runId && ctx.registry) {
    let model = null;
    if (done.reason !== 'diverged') {
      model = ganToFile({
        gan,
        normalization,
        training: { seed: ctx.seed, settings: { ...trainer.settings, preset: 'dcgan', width, latent, experiment: ctx.experiment.id, variant: ctx.name }, history: trainer.history },
        optimizers: { generator: trainer.optG, discriminator: trainer.optD },
      });
    }
    await ctx.registry.finish(runId, { outcome, figures: { ...figures, lossD: figures.dLoss, lossG: figures.gLoss }, model });
  }
  return { runId, config: { ...ctx.config }, history, traces: [], pictures, figures, outcome };
}
