/**
 * `npm run bench -- --gan-score [--seconds 120] [--runs 3] [--gan-images 2000]`: the DCGAN's learning
 * benchmark. Trains the `locus gan` default recipe (GAN_TRAIN_DEFAULTS, dcganSpecs with latent 64 and
 * width 16) on the first 200 training images of each Fashion-MNIST class (Debian's idx files; the score's
 * classifier never saw them) for a fixed wall-clock budget, then scores 500 samples from fixed latent codes
 * with the confident-samples score (engine/session/gan-score.ts). One line per run and the median:
 *   `gan-score run=1 seconds=120.0 epochs=41 steps=1312 confident=0.231 spread=7.9 real=0.71`
 * Recipe switches for trying others: --lr-g, --lr-d, --beta1, --batch, --width, --k; --steps N stops after
 * N generator steps instead of the time budget (same seed: the same result whatever the load).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../core/rng.js';
import type { ImageSet } from '../data/folder.js';
import { DEBIAN_FASHION_MNIST, FASHION_MNIST_CLASSES, readIdxImages } from '../data/idx.js';
import '../layers/index.js';
import { Gan } from '../models/gan.js';
import { dcganSpecs } from '../models/gan-presets.js';
import { GAN_TRAIN_DEFAULTS, GanTrainer, type GanTrainSettings } from '../session/gan.js';
import { loadScoreClassifier, scoreGenerator, scoreImages } from '../session/gan-score.js';

export interface GanScoreOptions {
  seconds: number;
  /** Stop after this many generator steps instead (load-independent, to compare recipes). */
  steps?: number;
  runs: number;
  images: number;
  lrG?: number;
  lrD?: number;
  beta1?: number;
  batch?: number;
  width?: number;
  k?: number;
}

/** The first images/10 training images of each class, as a folder of them loads (28x28 grey, labelled). */
async function fashionSet(images: number): Promise<ImageSet> {
  const d = await readIdxImages(join(DEBIAN_FASHION_MNIST, 'train-images-idx3-ubyte.gz'), join(DEBIAN_FASHION_MNIST, 'train-labels-idx1-ubyte.gz'));
  const perClass = Math.ceil(images / 10);
  const taken = new Array<number>(10).fill(0);
  const pixels = new Uint8Array(images * 784);
  const labels = new Int32Array(images);
  let n = 0;
  for (let i = 0; i < d.n && n < images; i++) {
    const l = d.labels[i];
    if (taken[l] >= perClass) continue;
    taken[l]++;
    pixels.set(d.pixels.subarray(i * 784, (i + 1) * 784), n * 784);
    labels[n++] = l;
  }
  return { n, channels: 1, height: 28, width: 28, pixels: pixels.subarray(0, n * 784), labels: labels.subarray(0, n), classes: [...FASHION_MNIST_CLASSES], paths: [] };
}

export async function ganScoreBench(o: GanScoreOptions): Promise<void> {
  if (!existsSync(join(DEBIAN_FASHION_MNIST, 'train-images-idx3-ubyte.gz'))) {
    console.log(`gan-score skipped: Debian's dataset-fashion-mnist is not installed (${DEBIAN_FASHION_MNIST})`);
    return;
  }
  const clf = await loadScoreClassifier();
  const set = await fashionSet(o.images);
  const real = scoreImages(clf, set, 500);
  const d = GAN_TRAIN_DEFAULTS;
  const adam = (lr: number | undefined, base: GanTrainSettings['optimizerG']) => ({ ...base, ...(lr !== undefined ? { lr } : {}), ...(o.beta1 !== undefined ? { beta1: o.beta1 } : {}) });
  const settings: Partial<GanTrainSettings> = {
    epochs: 100_000,
    ...(o.batch ? { batchSize: o.batch } : {}),
    ...(o.k ? { dSteps: o.k } : {}),
    optimizerG: adam(o.lrG, d.optimizerG),
    optimizerD: adam(o.lrD, d.optimizerD),
  };
  console.log(`gan-score: ${set.n} Fashion-MNIST images, ${o.steps ? `${o.steps} steps` : `${o.seconds} s`} a run, real images score ${real.confident.toFixed(3)} (spread ${real.spread.toFixed(1)})`);
  const scores: number[] = [];
  for (let run = 1; run <= o.runs; run++) {
    const gan = new Gan(dcganSpecs({ channels: 1, size: 28, latent: 64, ...(o.width ? { width: o.width } : {}) }), new Rng(d.seed));
    const trainer = new GanTrainer({ gan, set, normalization: { kind: 'symmetric' }, settings });
    const t0 = performance.now();
    let last = '';
    await trainer.run((e) => {
      if (e.type === 'step' && (o.steps ? e.step >= o.steps : performance.now() - t0 >= o.seconds * 1000)) trainer.control.stop();
      if (e.type === 'epoch' && e.epoch % 5 === 0) {
        const s = scoreGenerator(clf, gan, { kind: 'symmetric' });
        last = `epoch ${e.epoch} (${((performance.now() - t0) / 1000).toFixed(0)} s): ${s.confident.toFixed(3)}`;
        console.log(`  ${last}  D(x) ${e.dReal.toFixed(2)} D(G(z)) ${e.dFake.toFixed(2)}`);
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    const s = scoreGenerator(clf, gan, { kind: 'symmetric' });
    scores.push(s.confident);
    console.log(`gan-score run=${run} seconds=${seconds.toFixed(1)} epochs=${(trainer.step / trainer.stepsPerEpoch).toFixed(1)} steps=${trainer.step} confident=${s.confident.toFixed(3)} spread=${s.spread.toFixed(1)} real=${real.confident.toFixed(3)}`);
  }
  const sorted = [...scores].sort((a, b) => a - b);
  console.log(`gan-score median confident=${sorted[Math.floor((sorted.length - 1) / 2)].toFixed(3)} of ${scores.length} run(s) (real images ${real.confident.toFixed(3)})`);
}
