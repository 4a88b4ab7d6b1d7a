import { evaluate } from '../session/evaluate.js';
import { parse, required } from './args.js';
import { evalSequence, sequenceModelIn } from './cmd-seq.js';
import { evalLocal, localClassifierIn } from './local-classifier.js';
import { loadFolder } from './load.js';
import { loadClassifier, modelLoadOptions, relabel } from './model.js';
import { NOT_FINITE } from './cmd-predict.js';
import { Output, table } from './output.js';

export const usage = `locus eval --model MODEL.json --data DIR [--json]
  Accuracy and confusion matrix of a saved classifier on an image folder whose subfolders are named
  like the model's classes. Images are resized the way the model's training images were.
  A sequence model (locus seq) is scored on image rows from --data, or on --n N fresh generated
  sequences (--seed N; default: the training seed + 1).
  --no-cache          decode every image again instead of using the cache`;

export async function run(argv: string[]): Promise<number> {
  const sequence = await sequenceModelIn(argv);
  if (sequence) return evalSequence(sequence, argv);
  const local = await localClassifierIn(argv);
  if (local) return evalLocal(local, argv);
  const { values: v } = parse(argv, { model: { type: 'string' }, data: { type: 'string' }, 'no-cache': { type: 'boolean' } });
  const modelPath = required(v.model, 'model');
  const dir = required(v.data, 'data');
  const out = new Output(Boolean(v.json));
  const m = await loadClassifier(modelPath);
  const loaded = await loadFolder(dir, { ...modelLoadOptions(m), ...(v['no-cache'] ? { cacheDir: null } : {}) }, out);
  const { set, unknown } = relabel(loaded.set, m.classes);
  const idx = Int32Array.from(set.labels.keys()).filter((i) => set.labels[i] >= 0);
  if (idx.length === 0) {
    throw new Error(`no images of the model's classes (${m.classes.join(', ')}) in ${dir}`);
  }
  const r = evaluate(m.model, set, idx, m.normalization);
  // Never NaN as a result: an error with the reason instead.
  if (!Number.isFinite(r.loss) || !Number.isFinite(r.accuracy)) throw new Error(`${modelPath}: ${NOT_FINITE}`);
  if (out.json) {
    out.result('', {
      accuracy: r.accuracy,
      loss: r.loss,
      n: r.n,
      classes: m.classes,
      confusion: r.confusion,
      skipped: loaded.skipped,
      unknownClasses: unknown,
    });
    return 0;
  }
  const lines = [`accuracy ${(100 * r.accuracy).toFixed(2)}% on ${r.n} images (loss ${r.loss.toFixed(4)})`];
  if (unknown.length) lines.push(`not counted: folders the model has no class for: ${unknown.join(', ')}`);
  if (loaded.skipped.length) lines.push(`${loaded.skipped.length} files skipped (see locus data)`);
  lines.push('', 'confusion matrix (rows: actual, columns: predicted)');
  const short = m.classes.map((c, i) => `${i}`);
  const rows: (string | number)[][] = [['', ...short, 'recall']];
  r.confusion.forEach((row, i) => {
    const tot = row.reduce((a, b) => a + b, 0);
    rows.push([`${i} ${m.classes[i]}`, ...row, tot ? `${((100 * row[i]) / tot).toFixed(1)}%` : '-']);
  });
  lines.push(table(rows, ['l']));
  out.result(lines.join('\n'));
  return 0;
}
