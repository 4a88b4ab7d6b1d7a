import { Rng } from '../core/rng.js';
import type { Normalization } from '../data/normalize.js';
import { ganFromFile, ganToFile, type LoadedGan } from '../io/gan.js';
import { readModelFile, writeModelFile } from '../io/index.js';
import '../layers/index.js';
import { Gan } from '../models/gan.js';
import { dcganSpecs } from '../models/gan-presets.js';
import { createOptimizer, type OptimizerSpec } from '../optim/index.js';
import { GanTrainer, type GanTrainSettings } from '../session/gan.js';
import { num, parse, required } from './args.js';
import { writeGridPng } from './cmd-sample.js';
import { LOAD_OPTIONS, LOAD_USAGE, loadFolder, loadOptions } from './load.js';
import { Output } from './output.js';

export const usage = `locus gan --data DIR --out GAN.json [options]
  Train a DCGAN on the images of a folder (subfolders and labels are ignored: every image is "real")
  and save it as a Locus model file; draw new images from it with locus sample.
  --epochs N          passes over the images (default 10)
  --latent N          size of the latent code (default 64)
  --width N           filters of the first discriminator level; the generator mirrors it (default 16)
  --batch N           images per step (default 32)
  --lr X              Adam learning rate of the generator (default 0.002)
  --lr-d X            Adam learning rate of the discriminator (default 0.0005)
  --beta1 X           Adam beta1 (default 0.5)
  --k N               discriminator updates per generator update (default 1)
  --saturating        the generator minimizes log(1 - D(G(z))) instead of maximizing log D(G(z))
  --seed N            random seed: the same seed, data and options give the same model (default 1)
  --grid FILE.png     write the sample grid of fixed latent codes after every epoch (to watch progress)
  --resume GAN.json   continue training a saved GAN (its networks, latent size and optimizer states;
                      images are loaded at its size and colour; its epochs come before the new ones)
${LOAD_USAGE}
  --json              one JSON object a line (progress, epochs, result)`;

const OPTIONS = {
  ...LOAD_OPTIONS,
  data: { type: 'string' },
  out: { type: 'string' },
  epochs: { type: 'string' },
  latent: { type: 'string' },
  width: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  'lr-d': { type: 'string' },
  beta1: { type: 'string' },
  k: { type: 'string' },
  saturating: { type: 'boolean' },
  seed: { type: 'string' },
  grid: { type: 'string' },
  resume: { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, OPTIONS);
  const dir = required(v.data, 'data');
  const outPath = required(v.out, 'out');
  const seed = num(v.seed, 'seed', 1, 0, 2 ** 32 - 1, true);
  const latent = num(v.latent, 'latent', 64, 1, 4096, true);
  const width = num(v.width, 'width', 16, 1, 512, true);
  const beta1 = num(v.beta1, 'beta1', 0.5, 0, 0.999);
  const adam: OptimizerSpec = { type: 'adam', lr: num(v.lr, 'lr', 2e-3, 1e-12, 10), beta1 };
  const adamD: OptimizerSpec = { type: 'adam', lr: num(v['lr-d'], 'lr-d', 5e-4, 1e-12, 10), beta1 };
  const settings: GanTrainSettings = {
    epochs: num(v.epochs, 'epochs', 10, 1, 100000, true),
    batchSize: num(v.batch, 'batch', 32, 1, 65536, true),
    seed,
    optimizerG: adam,
    optimizerD: adamD,
    dSteps: num(v.k, 'k', 1, 1, 100, true),
    nonSaturating: !v.saturating,
    sampleEvery: 0,
    gridSize: 64,
  };
  createOptimizer(adam); // check the options before loading anything
  createOptimizer(adamD);
  let from: LoadedGan | null = null;
  if (v.resume !== undefined) {
    const f = await readModelFile(v.resume);
    if (f.kind !== 'gan') throw new Error(`--resume ${v.resume} is a "${f.kind}" model; locus gan continues a "gan" model`);
    from = ganFromFile(f);
    if (from.optimizers) {
      from.optimizers.generator.lr = adam.lr as number;
      from.optimizers.discriminator.lr = adamD.lr as number;
    }
  }
  const load = loadOptions(v);
  if (from) {
    if ((v.size !== undefined && load.width !== from.input.width) || (v.channels !== undefined && load.channels !== from.input.channels)) {
      throw new Error(`--resume: the GAN makes ${from.input.width}x${from.input.height} images with ${from.input.channels} channel(s); leave --size and --channels out or give those`);
    }
    Object.assign(load, { width: from.input.width, height: from.input.height, channels: from.input.channels === 3 ? 3 : 1 });
  }
  const out = new Output(Boolean(v.json));
  const { set, skipped } = await loadFolder(dir, load, out);
  if (set.n === 0) throw new Error(`no usable images in ${dir}`);
  const gan = from ? from.gan : new Gan(dcganSpecs({ channels: set.channels, size: set.width, latent, width }), new Rng(seed));
  const normalization: Normalization = from ? from.normalization : { kind: 'symmetric' };
  const trainer = new GanTrainer({ gan, set, normalization, settings, ...(from?.optimizers ? { optimizers: from.optimizers } : {}) });
  const prior = from?.training.history ?? [];
  if (from) out.info(`continuing ${v.resume}: ${prior.length} epoch(s) so far, ${from.optimizers ? 'with' : 'without'} its optimizer states`, { event: 'resume', epochs: prior.length, optimizers: from.optimizers !== null });
  out.info(`${set.n} images of ${set.channels}x${set.height}x${set.width}; ${skipped.length} skipped; ${trainer.stepsPerEpoch} steps per epoch`, {
    event: 'data',
    loaded: set.n,
    skipped: skipped.length,
    stepsPerEpoch: trainer.stepsPerEpoch,
  });
  const onSig = () => trainer.control.stop();
  process.once('SIGINT', onSig);
  let gridWrites: Promise<unknown> = Promise.resolve(); // one write at a time, in order
  let done;
  try {
    done = await trainer.run((e) => {
      if (e.type === 'step') {
        out.progress(`epoch ${e.epoch}/${settings.epochs}`, e.batch, e.batches, `D ${e.dLoss.toFixed(3)}  G ${e.gLoss.toFixed(3)}  D(x) ${e.dReal.toFixed(2)}  D(G(z)) ${e.dFake.toFixed(2)}`);
      } else if (e.type === 'epoch') {
        out.info(
          `epoch ${e.epoch}/${e.epochs}  D loss ${e.dLoss.toFixed(4)}  G loss ${e.gLoss.toFixed(4)}  D(x) ${e.dReal.toFixed(3)}  D(G(z)) ${e.dFake.toFixed(3)}  (${e.seconds.toFixed(1)} s)`,
          { event: 'epoch', ...e, type: undefined },
        );
      } else if (e.type === 'samples' && v.grid) {
        const grid = v.grid;
        gridWrites = gridWrites.then(() => writeGridPng(grid, e.pixels, e.n, [e.channels, e.height, e.width]));
      }
    });
  } finally {
    process.off('SIGINT', onSig);
  }
  await gridWrites;
  if (done.reason === 'diverged') throw new Error(done.message);
  if (done.reason === 'stopped') {
    out.result(`${done.message}; nothing saved`, { event: 'done', reason: done.reason, message: done.message });
    return 1;
  }
  const file = ganToFile({
    gan,
    normalization,
    training: {
      seed,
      settings: { ...settings, preset: 'dcgan', width: from && typeof from.training.settings.width === 'number' ? from.training.settings.width : width, latent: gan.latent, load: { fit: load.fit ?? 'cover' } },
      history: [...prior, ...trainer.history.map((h) => ({ ...h, epoch: h.epoch + prior.length }))],
    },
    optimizers: { generator: trainer.optG, discriminator: trainer.optD },
  });
  await writeModelFile(outPath, file);
  const seconds = trainer.history.reduce((a, h) => a + h.seconds, 0);
  const perStep = (1000 * seconds) / Math.max(1, trainer.step);
  out.result(`${done.message} in ${seconds.toFixed(1)} s (${perStep.toFixed(0)} ms per step). Saved ${outPath}`, {
    event: 'done',
    reason: done.reason,
    message: done.message,
    out: outPath,
    seconds,
    msPerStep: perStep,
    history: trainer.history,
  });
  return 0;
}
