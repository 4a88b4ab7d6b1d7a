/**
 * A GAN's "confident samples" score: the share of generated images that a small fixed classifier
 * classifies with a top probability above 0.9, and how those confident samples spread over the classes
 * (so a generator that makes only one class is visible). The classifier shipped for it is a LeNet-5
 * trained once with `locus train` (scripts/gan-score-classifier.ts) on 20,000 Fashion-MNIST training
 * images and an 11th class, "none", of noise, shuffled pixels and blends of two garments
 * (assets/models/fashion-lenet5.json, no optimizer state): a sample classified "none" never counts as
 * confident, so noise scores about 0. The score means something for Fashion-MNIST-like
 * images (28x28 grey garments) and is computed only when the GAN makes images of the classifier's shape.
 * Real images scored the same way give the reference to compare with. See docs/gans.md.
 */
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import type { ImageSet } from '../data/folder.js';
import { normalizeInto, type Normalization } from '../data/normalize.js';
import { classifierFromFile, readModelFile, type LoadedClassifier } from '../io/index.js';
import type { Gan } from '../models/gan.js';
import { latentGrid, toPixels } from '../models/gan-latent.js';

export const SCORE_CLASSIFIER_SUBPATH = join('assets', 'models', 'fashion-lenet5.json');
/** The classifier's class for "not a garment": never counted as confident. */
export const NONE_CLASS = 'none';
/** A sample counts as confident when the classifier's top probability is above this (and its class is not "none"). */
export const CONFIDENCE = 0.9;
/** Samples scored by default (fixed latent codes, so scores at different epochs compare). */
export const SCORE_SAMPLES = 500;
/** Latent codes of the score are seeded apart from the sample grid's. */
const SCORE_SEED = 0x5c0e;

export interface ConfidenceScore {
  /** Images scored. */
  n: number;
  /** Share of them with top probability > CONFIDENCE, in [0, 1]. */
  confident: number;
  /** Confident images per class of `classes`. */
  perClass: number[];
  /** The classifier's garment classes ("none" left out). */
  classes: string[];
  /** Effective number of classes among the confident images: exp(entropy) of their class shares (1 = all one class; 0 when none). */
  spread: number;
}

/** The shipped classifier's file: walking up from this module (source tree or build output) to assets/models. */
export function findScoreClassifier(start: string = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = start; ; ) {
    const candidate = join(dir, SCORE_CLASSIFIER_SUBPATH);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep walking up
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** Loads the score's classifier (the shipped one unless `path`). */
export async function loadScoreClassifier(path?: string): Promise<LoadedClassifier> {
  const p = path ?? findScoreClassifier();
  if (!p) throw new Error(`the GAN score's classifier is missing (${SCORE_CLASSIFIER_SUBPATH})`);
  const f = await readModelFile(p);
  if (f.kind !== 'classifier') throw new Error(`${p} is a "${f.kind}" model, not a classifier`);
  return classifierFromFile(f);
}

/** Whether images of this shape can be scored by the classifier. */
export function scoreFits(clf: LoadedClassifier, shape: readonly number[]): boolean {
  const { channels, height, width } = clf.input;
  return shape.length === 3 && shape[0] === channels && shape[1] === height && shape[2] === width;
}

/** Scores n 8-bit images (planar CHW, the classifier's input shape, one after another). */
export function scorePixels(clf: LoadedClassifier, pixels: Uint8Array, n: number, batch = 250): ConfidenceScore {
  const { channels, height, width } = clf.input;
  const per = channels * height * width;
  if (pixels.length < n * per) throw new Error(`scorePixels: ${n} images need ${n * per} bytes, got ${pixels.length}`);
  const k = clf.classes.length;
  const none = clf.classes.indexOf(NONE_CLASS);
  const counts = new Array<number>(k).fill(0);
  const x = new Float32Array(Math.min(batch, Math.max(1, n)) * per);
  const rng = new Rng(0);
  let confident = 0;
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    normalizeInto(pixels, start, count, channels, height * width, clf.normalization, x);
    const y = clf.model.predict(tensor([count, channels, height, width], x.subarray(0, count * per)), rng);
    for (let i = 0; i < count; i++) {
      const o = i * k;
      let arg = 0;
      for (let j = 1; j < k; j++) if (y.data[o + j] > y.data[o + arg]) arg = j;
      // The top class's softmax probability is 1 / sum_j exp(logit_j - top logit).
      let s = 0;
      for (let j = 0; j < k; j++) s += Math.exp(y.data[o + j] - y.data[o + arg]);
      if (arg !== none && 1 / s > CONFIDENCE) {
        confident++;
        counts[arg]++;
      }
    }
  }
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / confident) * Math.log(c / confident);
  const keep = (_: unknown, j: number) => j !== none;
  return { n, confident: n ? confident / n : 0, perClass: counts.filter(keep), classes: clf.classes.filter(keep), spread: confident ? Math.exp(h) : 0 };
}

/** Scores `n` samples of the generator from fixed latent codes (inference mode; no training randomness drawn). */
export function scoreGenerator(clf: LoadedClassifier, gan: Gan, normalization: Normalization, n = SCORE_SAMPLES, batch = 250): ConfidenceScore {
  const per = gan.sampleSize;
  const pixels = new Uint8Array(n * per);
  const z = latentGrid(gan.latent, n, SCORE_SEED);
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    const zb = tensor([count, gan.latent], z.data.subarray(start * gan.latent, (start + count) * gan.latent));
    toPixels(gan.generate(zb, new Rng(0)), normalization, pixels.subarray(start * per, (start + count) * per));
  }
  return scorePixels(clf, pixels, n, batch);
}

/** Scores up to `n` images of a set (evenly spaced through it): the real images' reference. */
export function scoreImages(clf: LoadedClassifier, set: ImageSet, n = SCORE_SAMPLES): ConfidenceScore {
  const per = set.channels * set.height * set.width;
  const m = Math.min(n, set.n);
  const pixels = new Uint8Array(m * per);
  for (let i = 0; i < m; i++) {
    const src = Math.floor((i * set.n) / m);
    pixels.set(set.pixels.subarray(src * per, (src + 1) * per), i * per);
  }
  return scorePixels(clf, pixels, m);
}
