/**
 * models.*: export the current classifier to a model file (atomic), import one, classify an image
 * with it, and measure it on the loaded folder.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { relabel } from '../../cli/model.js';
import { Rng } from '../../core/rng.js';
import { tensor } from '../../core/tensor.js';
import { SkipError } from '../../data/decode.js';
import { loadImageFile } from '../../data/folder.js';
import { normalizeInto } from '../../data/normalize.js';
import { classifierFromFile, classifierToFile, ModelFileError, readModelFile, writeModelFile } from '../../io/index.js';
import { LabError, type ModelEvaluation, type ModelInfo, type Prediction } from '../../protocol/contract.js';
import type { GanFile } from '../../io/gan.js';
import { evaluate, softmaxRow } from '../../session/evaluate.js';
import type { Context, Handlers } from '../server.js';
import { workspace } from '../workspace.js';
import { describeGanFile } from './gan-file.js';
import { modelInfo, modelStore, toEpochMetrics, type CurrentModel } from './models-store.js';
import { training } from './train-run.js';

function need(): CurrentModel {
  const m = modelStore.get();
  if (!m) throw new LabError({ message: 'there is no model: train one or import a model file', code: 'unavailable' });
  return m;
}

/** ModelFileError (and any other failure) as a LabError whose message is the user's reason. */
function fileError(e: unknown): LabError {
  if (e instanceof LabError) return e;
  if (e instanceof ModelFileError) return new LabError({ message: e.message, code: 'failed' });
  return new LabError({ message: e instanceof Error ? e.message : String(e), code: 'failed' });
}

export async function exportModel(path: string, ctx: Context): Promise<{ path: string; bytes: number }> {
  const m = need();
  const abs = resolve(path);
  try {
    const file = classifierToFile({
      model: m.model,
      classes: m.classes,
      input: m.input,
      normalization: m.normalization,
      training: { seed: m.seed, settings: m.settings, history: m.history },
      ...(m.optimizer ? { optimizer: m.optimizer } : {}),
    });
    await writeModelFile(abs, file);
  } catch (e) {
    throw fileError(e);
  }
  m.path = abs;
  modelStore.announce(ctx);
  return { path: abs, bytes: (await stat(abs)).size };
}

export async function importModel(path: string, ctx: Context): Promise<ModelInfo> {
  if (training()) throw new LabError({ message: 'a training run is in progress: stop it before importing a model', code: 'unavailable' });
  const abs = resolve(path);
  let m: CurrentModel;
  try {
    const file = await readModelFile(abs);
    if (file.kind === 'gan') throw new ModelFileError(`this is a "gan" model: ${describeGanFile(file as GanFile)}; the Models view opens classifiers (draw samples from it with locus sample)`, abs);
    if (file.kind !== 'classifier') throw new ModelFileError(`this is a "${file.kind}" model; the Models view opens classifiers`, abs);
    const c = classifierFromFile(file);
    m = {
      model: c.model,
      classes: c.classes,
      input: c.input,
      normalization: c.normalization,
      seed: c.training.seed,
      settings: c.training.settings,
      history: c.training.history.map((h, i) => toEpochMetrics(h, i)),
      optimizer: c.optimizer,
      source: 'imported',
      path: abs,
      createdAt: c.createdAt,
      locusVersion: c.locusVersion,
    };
  } catch (e) {
    // classifierFromFile's errors carry no path: name the file.
    if (e instanceof ModelFileError && !e.path) throw fileError(new ModelFileError(e.reason, abs));
    throw fileError(e);
  }
  modelStore.set(m, ctx);
  return modelInfo(m);
}

function classify(m: CurrentModel, pixels: Uint8Array): Prediction['top'] {
  const { channels, height, width } = m.input;
  const x = tensor([1, channels, height, width]);
  normalizeInto(pixels, 0, 1, channels, height * width, m.normalization, x.data);
  const y = m.model.predict(x, new Rng(0));
  const p = softmaxRow(y.data, 0, m.classes.length);
  return p.map((probability, i) => ({ class: m.classes[i], probability })).sort((a, b) => b.probability - a.probability);
}

export async function predict(path: string | undefined, index: number | undefined): Promise<Prediction> {
  const m = need();
  const { channels, height, width } = m.input;
  const image = { channels, height, width };
  if ((path === undefined) === (index === undefined)) throw new LabError({ message: 'give either an image file or an image index', code: 'invalid' });
  if (path !== undefined) {
    const load = (m.settings as { load?: { fit?: unknown } }).load;
    const fit = load?.fit === 'contain' || load?.fit === 'cover' || load?.fit === 'fill' ? load.fit : undefined;
    let pixels: Uint8Array;
    try {
      pixels = await loadImageFile(resolve(path), { width, height, channels: channels === 3 ? 3 : 1, ...(fit ? { fit } : {}) });
    } catch (e) {
      const why = e instanceof SkipError ? e.message : (e as Error).message;
      throw new LabError({ message: `${path}: ${why}`, code: 'failed' });
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
  const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return { n: e.n, loss: fin(e.loss), accuracy: fin(e.accuracy), classes: [...m.classes], confusion: e.confusion, unknown };
}

export const modelsHandlers = {
  'models.current': () => {
    const m = modelStore.get();
    return { model: m ? modelInfo(m) : null };
  },
  'models.export': (p, ctx) => exportModel(p.path, ctx),
  'models.import': (p, ctx) => importModel(p.path, ctx),
  'models.predict': (p) => predict(p.path, p.index),
  'models.evaluate': (p) => evaluateModel(p.subset ?? 'val'),
} satisfies Partial<Handlers>;
