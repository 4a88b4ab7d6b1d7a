import { classifyPixels, readModelImage } from '../session/classify.js';
import { num, parse, required } from './args.js';
import { localClassifierIn, predictLocal } from './local-classifier.js';
import { loadClassifier, modelLoadOptions } from './model.js';
import { Output } from './output.js';

export const usage = `locus predict --model MODEL.json FILE... [--top K] [--json]
  Classify image files with a saved classifier: the most likely classes with their probabilities.
  Files that cannot be used are listed with the reason.`;

export const NOT_FINITE = "the model's output is not a finite number (its weights or normalization overflow float32)";

export async function run(argv: string[]): Promise<number> {
  const local = await localClassifierIn(argv);
  if (local) return predictLocal(local, argv);
  const { values: v, positionals: files } = parse(argv, { model: { type: 'string' }, top: { type: 'string' } }, true);
  const modelPath = required(v.model, 'model');
  required(files[0], 'FILE (at least one image)');
  const out = new Output(Boolean(v.json));
  const m = await loadClassifier(modelPath);
  const k = m.classes.length;
  const top = num(v.top, 'top', Math.min(3, k), 1, k, true);
  const opts = modelLoadOptions(m);
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
    const best = classifyPixels(m, pixels).slice(0, top);
    // Never a NaN as a result: the import bounds make this unreachable for files Locus accepts, so
    // it is reported as an error with its reason rather than as "NaN%".
    if (!best.every((b) => Number.isFinite(b.probability))) {
      failed++;
      const reason = NOT_FINITE;
      out.result(`${f}: failed: ${reason}`, { file: f, error: reason });
      continue;
    }
    out.result(`${f}: ${best.map((b) => `${b.class} ${(100 * b.probability).toFixed(1)}%`).join(', ')}`, {
      file: f,
      class: best[0].class,
      probability: best[0].probability,
      top: best,
    });
  }
  return failed === files.length ? 1 : 0;
}
