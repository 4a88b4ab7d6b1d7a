/**
 * models.*: export the current classifier to a model file (atomic), import one, classify an image
 * with it (a file, a dropped file's bytes or an image of the folder), and measure it on the loaded
 * folder; open a GAN or sequence file to inspect it and export it further (engine/session/model-files.ts).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { classifyPixels, modelLoadOptions, readModelImage, readModelImageBytes } from '../../session/classify.js';
import { relabel } from '../../session/classifier-setup.js';
import { ModelFileError, readModelFile, writeModelFile } from '../../io/index.js';
import { ExportError, writeExternal, type ExternalFormat } from '../../io/exports.js';
import { LabError, type ModelEvaluation, type ModelInfo, type Prediction } from '../../protocol/contract.js';
import { evaluate } from '../../session/evaluate.js';
import type { Context, Handlers } from '../server.js';
import { workspace } from '../workspace.js';
import { currentModelFile } from '../../session/classifier-run.js';
import { currentFromFile, modelInfo, modelStore, type CurrentModel } from '../../session/current-model.js';
import { openedStore, openModelFile } from '../../session/model-files.js';

function need(): CurrentModel {
  const m = modelStore.get();
  if (!m) throw new LabError({ message: 'there is no model: train one or import a model file', code: 'unavailable' });
  return m;
}

/** ModelFileError (and any other failure) as a LabError whose message is the user's reason. */
export function fileError(e: unknown): LabError {
  if (e instanceof LabError) return e;
  if (e instanceof ModelFileError) return new LabError({ message: e.message, code: 'failed' });
  return new LabError({ message: e instanceof Error ? e.message : String(e), code: 'failed' });
}

export async function exportModel(path: string, ctx: Context): Promise<{ path: string; bytes: number }> {
  const m = need();
  const abs = resolve(path);
  try {
    await writeModelFile(abs, currentModelFile(m));
  } catch (e) {
    throw fileError(e);
  }
  m.path = abs;
  modelStore.announce(ctx);
  return { path: abs, bytes: (await stat(abs)).size };
}

/**
 * Write the current model as a PyTorch package (a folder) or an ONNX file (engine/io/exports.ts); a
 * target Locus did not write is replaced only with overwrite (refused with code "exists" otherwise).
 */
export async function exportExternal(path: string, format: ExternalFormat, overwrite: boolean, which: 'current' | 'opened' = 'current'): Promise<{ path: string; format: ExternalFormat; files: number; bytes: number }> {
  let file;
  if (which === 'opened') {
    const o = openedStore.get();
    if (!o) throw new LabError({ message: 'no GAN or sequence model file is open: open one first', code: 'unavailable' });
    file = o.file;
  } else file = currentModelFile(need());
  const abs = resolve(path);
  try {
    const w = await writeExternal(file, format, abs, { overwrite });
    return { path: abs, format, files: w.files.length, bytes: w.bytes };
  } catch (e) {
    if (e instanceof ExportError && e.exists) throw new LabError({ message: e.message, code: 'exists' });
    throw fileError(e);
  }
}

export async function importModel(path: string, ctx: Context): Promise<ModelInfo> {
  const abs = resolve(path);
  let m: CurrentModel;
  try {
    const file = await readModelFile(abs);
    // A GAN or sequence file is opened beside the current classifier, never in its place.
    const other = openModelFile(file, abs);
    if (other) return other;
    if (file.kind !== 'classifier') throw new ModelFileError(`this is a "${file.kind}" model; the Models view opens classifiers, GANs and sequence models (see locus info for the others)`, abs);
    if (workspace.classifiers.training) throw new LabError({ message: 'a training run is in progress: stop it before importing a model', code: 'unavailable' });
    m = currentFromFile(file, { path: abs, runId: null });
  } catch (e) {
    // classifierFromFile's errors carry no path: name the file.
    if (e instanceof ModelFileError && !e.path) throw fileError(new ModelFileError(e.reason, abs));
    throw fileError(e);
  }
  modelStore.set(m, ctx);
  return modelInfo(m);
}

const NOT_FINITE = "the model's output is not a finite number (its weights or normalization overflow float32)";

/** Class probabilities for the reply: never NaN or infinite as a result, a failure with the reason instead. */
function classify(m: CurrentModel, pixels: Uint8Array): Prediction['top'] {
  const top = classifyPixels(m, pixels);
  if (!top.every((t) => Number.isFinite(t.probability))) throw new LabError({ message: NOT_FINITE, code: 'failed' });
  return top;
}

export async function predict(path: string | undefined, index: number | undefined, bytes?: { bytes: Uint8Array; name: string }): Promise<Prediction> {
  const m = need();
  const { channels, height, width } = m.input;
  const image = { channels, height, width };
  if ([path, index, bytes].filter((x) => x !== undefined).length !== 1) throw new LabError({ message: 'give one of an image file, an image\'s bytes or an image index', code: 'invalid' });
  if (bytes !== undefined) {
    let pixels: Uint8Array;
    try {
      pixels = await readModelImageBytes(bytes.bytes, bytes.name, modelLoadOptions({ input: m.input, training: { settings: m.settings } }));
    } catch (e) {
      throw new LabError({ message: `${bytes.name || 'the image'}: ${(e as Error).message}`, code: 'invalid' });
    }
    return { image: { ...image, pixels }, label: -1, top: classify(m, pixels) };
  }
  if (path !== undefined) {
    let pixels: Uint8Array;
    try {
      pixels = await readModelImage(path, modelLoadOptions({ input: m.input, training: { settings: m.settings } }));
    } catch (e) {
      throw new LabError({ message: `${path}: ${(e as Error).message}`, code: 'failed' });
    }
    return { image: { ...image, pixels }, label: -1, top: classify(m, pixels) };
  }
  const data = workspace.data;
  if (!data) throw new LabError({ message: 'no folder is loaded', code: 'unavailable' });
  const set = data.result.set;
  if (set.channels !== channels || set.height !== height || set.width !== width) {
    throw new LabError({ message: `the model takes ${channels}x${height}x${width} images; the folder is loaded as ${set.channels}x${set.height}x${set.width}`, code: 'invalid' });
  }
  const i = index!;
  if (i >= set.n) throw new LabError({ message: `image ${i} is not in the folder (${set.n} images)`, code: 'invalid' });
  const per = channels * height * width;
  const pixels = set.pixels.slice(i * per, (i + 1) * per);
  const l = set.labels[i];
  return { image: { ...image, pixels }, label: l >= 0 ? m.classes.indexOf(set.classes[l]) : -1, top: classify(m, pixels) };
}

export function evaluateModel(subset: 'all' | 'val'): ModelEvaluation {
  const m = need();
  const data = workspace.data;
  if (!data) throw new LabError({ message: 'no folder is loaded', code: 'unavailable' });
  const { channels, height, width } = m.input;
  const raw = data.result.set;
  if (raw.channels !== channels || raw.height !== height || raw.width !== width) {
    throw new LabError({ message: `the model takes ${channels}x${height}x${width} images; reload the folder at that size (it is ${raw.channels}x${raw.height}x${raw.width})`, code: 'invalid' });
  }
  const { set, unknown } = relabel(raw, m.classes);
  const indices = subset === 'val' ? data.split.val : Int32Array.from({ length: set.n }, (_, i) => i);
  const e = evaluate(m.model, set, indices, m.normalization);
  if (e.n > 0 && !Number.isFinite(e.loss)) throw new LabError({ message: NOT_FINITE, code: 'failed' });
  const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return { n: e.n, loss: fin(e.loss), accuracy: fin(e.accuracy), classes: [...m.classes], confusion: e.confusion, unknown };
}

export const modelsHandlers = {
  'models.current': () => {
    const m = modelStore.get();
    return { model: m ? modelInfo(m) : null, opened: openedStore.get()?.info ?? null };
  },
  'models.export': (p, ctx) => exportModel(p.path, ctx),
  'models.exportTo': (p) => exportExternal(p.path, p.format, p.overwrite === true, p.model ?? 'current'),
  'models.import': (p, ctx) => importModel(p.path, ctx),
  'models.predict': (p) => predict(p.path, p.index, p.bytes === undefined ? undefined : { bytes: p.bytes, name: p.name ?? '' }),
  'models.evaluate': (p) => evaluateModel(p.subset ?? 'val'),
} satisfies Partial<Handlers>;
