/**
 * Classifying one image file with a saved or trained classifier, written once for the engine's
 * models.predict, `locus predict` and the local classifiers (RBF, mixture of experts): read the file
 * the way the model's training images were read, normalize it, rank the classes.
 */
import { resolve } from 'node:path';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import { SkipError } from '../data/decode.js';
import { loadImageBytes, loadImageFile, type LoadOptions } from '../data/folder.js';
import { normalizeInto, type Normalization } from '../data/normalize.js';
import type { Sequential } from '../models/sequential.js';
import { MAX_IMAGE_BYTES } from '../protocol/contract.js';
import { softmaxRow } from './evaluate.js';

export interface ImageInput {
  channels: number;
  height: number;
  width: number;
}

export interface RankedClass {
  class: string;
  probability: number;
}

/** The loader options that reproduce the images a model was trained on (its input size and the fit it recorded). */
export function modelLoadOptions(m: { input: ImageInput; training: { settings: Record<string, unknown> } }): LoadOptions {
  const load = (m.training.settings as { load?: { fit?: unknown } }).load;
  const fit = load && (load.fit === 'contain' || load.fit === 'cover' || load.fit === 'fill') ? load.fit : undefined;
  const channels = m.input.channels === 3 ? 3 : 1;
  return { width: m.input.width, height: m.input.height, channels, ...(fit ? { fit } : {}) };
}

/** Read one image file as the model's input pixels; a file that cannot be used throws an Error whose message is the reason. */
export async function readModelImage(path: string, opts: LoadOptions): Promise<Uint8Array> {
  try {
    return await loadImageFile(resolve(path), opts);
  } catch (e) {
    throw new Error(e instanceof SkipError ? e.message : (e as Error).message);
  }
}

/**
 * An image's bytes (a file dropped on the app: it arrives as bytes, never as a path) as the model's
 * input pixels, decoded exactly as a file on disk would be; the Error's message is the reason.
 */
export async function readModelImageBytes(bytes: Uint8Array, name: string, opts: LoadOptions): Promise<Uint8Array> {
  if (bytes.length > MAX_IMAGE_BYTES) throw new Error(`${(bytes.length / 1048576).toFixed(1)} MB is over the ${MAX_IMAGE_BYTES / 1048576} MB an image sent to the engine may have`);
  try {
    return await loadImageBytes(bytes, name, opts);
  } catch (e) {
    throw new Error(e instanceof SkipError ? e.message : (e as Error).message);
  }
}

/** Probabilities of each class, highest first. */
export function rankClasses(p: ArrayLike<number>, classes: readonly string[]): RankedClass[] {
  return Array.from({ length: classes.length }, (_, i) => ({ class: classes[i], probability: p[i] })).sort((a, b) => b.probability - a.probability);
}

/** A network's class probabilities for one image's pixels, ranked. */
export function classifyPixels(m: { model: Sequential; input: ImageInput; normalization: Normalization; classes: readonly string[] }, pixels: Uint8Array): RankedClass[] {
  const { channels, height, width } = m.input;
  const x = tensor([1, channels, height, width]);
  normalizeInto(pixels, 0, 1, channels, height * width, m.normalization, x.data);
  const y = m.model.predict(x, new Rng(0));
  return rankClasses(softmaxRow(y.data, 0, m.classes.length), m.classes);
}
