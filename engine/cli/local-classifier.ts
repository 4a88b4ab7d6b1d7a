/**
 * The local models as image classifiers in the CLI: an RBF network (softmax outputs) or a mixture of
 * experts (softmax experts give probabilities; linear ones, from files of earlier versions, outputs
 * fitted to one-hot targets: negative outputs count as 0 and the rest are normalized to probabilities). Shared by `locus train --model rbf|moe`, `eval`, `predict` and `info`.
 */
import type { ImageSet, LoadOptions } from '../data/folder.js';
import { fillBatch } from '../data/batch.js';
import { normalizeInto, type Normalization } from '../data/normalize.js';
import { moeFromFile, rbfFromFile, readModelFile, type ModelFile } from '../io/index.js';
import type { ImageInput, TrainingRecord } from '../io/classifier.js';
import type { MixtureOfExperts } from '../local/moe.js';
import { RbfNetwork } from '../local/rbf.js';
import { RulesAndExceptions } from '../local/rules.js';
import { num, parse, required } from './args.js';
import { loadFolder } from './load.js';
import { modelLoadOptions, relabel } from './model.js';
import { Output, table } from './output.js';
import { rankClasses, readModelImage } from '../session/classify.js';

export interface LocalClassifier {
  kind: 'rbf' | 'moe';
  model: RbfNetwork | MixtureOfExperts;
  classes: string[];
  input: ImageInput;
  normalization: Normalization;
  training: TrainingRecord;
}

/** Class probabilities of the normalized input x[xo..xo+dim). */
export function probabilities(model: RbfNetwork | MixtureOfExperts, x: Float32Array, xo: number): Float64Array {
  if (model instanceof RbfNetwork) return model.predict(x, xo);
  const y = model.predict(x, xo);
  let s = 0;
  for (let o = 0; o < y.length; o++) s += y[o] = y[o] > 0 ? y[o] : 0;
  for (let o = 0; o < y.length; o++) y[o] = s > 0 ? y[o] / s : 1 / y.length;
  return y;
}

export function argmax(p: ArrayLike<number>): number {
  let b = 0;
  for (let o = 1; o < p.length; o++) if (p[o] > p[b]) b = o;
  return b;
}

export interface LocalEvaluation {
  accuracy: number;
  /** Mean cross-entropy of the probabilities (each clamped at 1e-12). */
  loss: number;
  n: number;
  confusion: number[][];
}

/** Accuracy, loss and confusion matrix over the images idx of set (labels in the model's class order). */
export function evaluateLocal(model: RbfNetwork | MixtureOfExperts, set: ImageSet, idx: Int32Array, norm: Normalization, classes: number): LocalEvaluation {
  const dim = set.channels * set.height * set.width;
  const x = new Float32Array(dim);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  let loss = 0;
  for (let s = 0; s < idx.length; s++) {
    fillBatch(set, idx, s, 1, norm, x);
    const p = probabilities(model, x, 0);
    const y = set.labels[idx[s]];
    const b = argmax(p);
    confusion[y][b]++;
    if (b === y) correct++;
    loss -= Math.log(Math.max(p[y], 1e-12));
  }
  return { accuracy: idx.length ? correct / idx.length : 0, loss: idx.length ? loss / idx.length : 0, n: idx.length, confusion };
}

/** The file named by --model in argv when it is an rbf or moe model (else null: another command path). */
export async function localClassifierIn(argv: string[]): Promise<LocalClassifier | null> {
  const i = argv.findIndex((a) => a === '--model' || a.startsWith('--model='));
  if (i < 0) return null;
  const path = argv[i].startsWith('--model=') ? argv[i].slice(8) : argv[i + 1];
  if (!path) return null;
  const file = await readModelFile(path);
  return file.kind === 'rbf' || file.kind === 'moe' ? asClassifier(path, file) : null;
}

function asClassifier(path: string, file: ModelFile): LocalClassifier {
  const loaded = file.kind === 'rbf' ? rbfFromFile(file) : moeFromFile(file);
  const { input, normalization, classes } = loaded.data;
  if (!input || !normalization || !classes) throw new Error(`${path}: this ${file.kind} model was not trained on images (no input size, normalization or classes)`);
  const model = loaded.model;
  if (model instanceof RulesAndExceptions) throw new Error(`${path}: rules and exceptions predict values, they are not an image classifier`);
  if (model instanceof RbfNetwork && model.config.task !== 'classification') throw new Error(`${path}: this RBF network does regression, not classification`);
  return { kind: file.kind === 'rbf' ? 'rbf' : 'moe', model, classes, input, normalization, training: loaded.training };
}

function loadOptionsOf(m: LocalClassifier): LoadOptions {
  return modelLoadOptions(m);
}

/** `locus eval` for rbf and moe models. */
export async function evalLocal(m: LocalClassifier, argv: string[]): Promise<number> {
  const { values: v } = parse(argv, { model: { type: 'string' }, data: { type: 'string' }, 'no-cache': { type: 'boolean' } });
  const dir = required(v.data, 'data');
  const out = new Output(Boolean(v.json));
  const loaded = await loadFolder(dir, { ...loadOptionsOf(m), ...(v['no-cache'] ? { cacheDir: null } : {}) }, out);
  const { set, unknown } = relabel(loaded.set, m.classes);
  const idx = Int32Array.from(set.labels.keys()).filter((i) => set.labels[i] >= 0);
  if (idx.length === 0) throw new Error(`no images of the model's classes (${m.classes.join(', ')}) in ${dir}`);
  const r = evaluateLocal(m.model, set, idx, m.normalization, m.classes.length);
  if (out.json) {
    out.result('', { kind: m.kind, ...r, classes: m.classes, skipped: loaded.skipped, unknownClasses: unknown });
    return 0;
  }
  const lines = [`${m.kind}: accuracy ${(100 * r.accuracy).toFixed(2)}% on ${r.n} images (loss ${r.loss.toFixed(4)})`];
  if (unknown.length) lines.push(`not counted: folders the model has no class for: ${unknown.join(', ')}`);
  if (loaded.skipped.length) lines.push(`${loaded.skipped.length} files skipped (see locus data)`);
  lines.push('', confusionTable(r.confusion, m.classes));
  out.result(lines.join('\n'));
  return 0;
}

export function confusionTable(confusion: number[][], classes: string[]): string {
  const rows: (string | number)[][] = [['', ...classes.map((_, i) => `${i}`), 'recall']];
  confusion.forEach((row, i) => {
    const tot = row.reduce((a, b) => a + b, 0);
    rows.push([`${i} ${classes[i]}`, ...row, tot ? `${((100 * row[i]) / tot).toFixed(1)}%` : '-']);
  });
  return ['confusion matrix (rows: actual, columns: predicted)', table(rows, ['l'])].join('\n');
}

/** `locus predict` for rbf and moe models. */
export async function predictLocal(m: LocalClassifier, argv: string[]): Promise<number> {
  const { values: v, positionals: files } = parse(argv, { model: { type: 'string' }, top: { type: 'string' } }, true);
  required(files[0], 'FILE (at least one image)');
  const out = new Output(Boolean(v.json));
  const k = m.classes.length;
  const top = num(v.top, 'top', Math.min(3, k), 1, k, true);
  const opts = loadOptionsOf(m);
  const hw = m.input.width * m.input.height;
  const x = new Float32Array(m.input.channels * hw);
  let failed = 0;
  for (const f of files) {
    let pixels: Uint8Array;
    try {
      pixels = await readModelImage(f, opts);
    } catch (e) {
      failed++;
      const reason = (e as Error).message;
      out.result(`${f}: skipped: ${reason}`, { file: f, error: reason });
      continue;
    }
    normalizeInto(pixels, 0, 1, m.input.channels, hw, m.normalization, x);
    const best = rankClasses(probabilities(m.model, x, 0), m.classes).slice(0, top);
    out.result(`${f}: ${best.map((b) => `${b.class} ${(100 * b.probability).toFixed(1)}%`).join(', ')}`, {
      file: f,
      class: best[0].class,
      probability: best[0].probability,
      top: best,
    });
  }
  return failed === files.length ? 1 : 0;
}
