/**
 * A 2-D toy GAN variant: the GAN of the GAN view's toy tab (ToyGanTrainer), trained for a number of
 * generator steps. Its figures: the energy distance between the generated cloud and the real set, the
 * share of the real points with a generated point near them (coverage: low when the generator
 * collapses onto a few modes), the last losses; its picture: both clouds drawn on one plane.
 */
import { TOY_NAMES } from '../../data/toy.js';
import { LabError } from '../../protocol/contract.js';
import { bool, type Infer, literal, num, obj, optional } from '../../protocol/guard.js';
import { ToyGanTrainer } from '../gan-toy.js';
import { type DriverResult, type ExperimentPicture, type ExperimentTrace, finite, median, type VariantContext } from './variant.js';

export const GanExperimentConfig = obj({
  toy: literal(...TOY_NAMES),
  points: optional(num({ int: true, min: 16, max: 20_000 })),
  steps: num({ int: true, min: 1, max: 100_000 }),
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
