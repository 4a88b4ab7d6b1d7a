import { classifierToFile, writeModelFile } from '../io/index.js';
import { pruneEdges, pruneUnits, sparsity } from '../models/prune.js';
import { evaluate } from '../session/evaluate.js';
import { num, parse, required } from './args.js';
import { loadFolder } from './load.js';
import { loadClassifier, modelLoadOptions, relabel } from './model.js';
import { Output, table } from './output.js';

export const usage = `locus prune --model MODEL.json --data DIR --fraction F [--units] --out PRUNED.json [--json]
  Magnitude pruning of a saved classifier: the fraction F of each weight tensor with the smallest
  magnitudes is set to 0 and masked (kept at 0 by later training); with --units, the fraction F of the
  units of every hidden dense and conv layer (the smallest incoming weight norms) is removed whole.
  Prints the accuracy on the image folder before and after, and saves the pruned model.
  --no-cache          decode every image again instead of using the cache`;

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    model: { type: 'string' },
    data: { type: 'string' },
    fraction: { type: 'string' },
    units: { type: 'boolean' },
    out: { type: 'string' },
    'no-cache': { type: 'boolean' },
  });
  const modelPath = required(v.model, 'model');
  const dir = required(v.data, 'data');
  const outPath = required(v.out, 'out');
  const fraction = num(required(v.fraction, 'fraction'), 'fraction', 0.5, 0, 1);
  const out = new Output(Boolean(v.json));
  const m = await loadClassifier(modelPath);
  const loaded = await loadFolder(dir, { ...modelLoadOptions(m), ...(v['no-cache'] ? { cacheDir: null } : {}) }, out);
  const { set } = relabel(loaded.set, m.classes);
  const idx = Int32Array.from(set.labels.keys()).filter((i) => set.labels[i] >= 0);
  if (idx.length === 0) throw new Error(`no images of the model's classes (${m.classes.join(', ')}) in ${dir}`);
  const before = evaluate(m.model, set, idx, m.normalization);
  const report = v.units ? pruneUnits(m.model, fraction) : pruneEdges(m.model, fraction);
  const after = evaluate(m.model, set, idx, m.normalization);
  const file = classifierToFile({
    model: m.model,
    classes: m.classes,
    input: m.input,
    normalization: m.normalization,
    training: {
      seed: m.training.seed,
      settings: { ...m.training.settings, pruned: { fraction, units: Boolean(v.units), from: modelPath } },
      history: m.training.history,
    },
    ...(m.optimizer ? { optimizer: m.optimizer } : {}),
  });
  await writeModelFile(outPath, file);
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const what = v.units ? 'units' : 'weights';
  const rows: (string | number)[][] = [['', `pruned ${what}`, 'of']];
  for (const t of report.items) rows.push([t.name, t.pruned, t.total]);
  out.result(
    [
      `accuracy before ${pct(before.accuracy)}, after ${pct(after.accuracy)} on ${after.n} images (loss ${before.loss.toFixed(4)} -> ${after.loss.toFixed(4)})`,
      `pruned ${report.pruned} of ${report.total} ${what}; ${pct(sparsity(m.model))} of all weights are now 0. Saved ${outPath}`,
      '',
      table(rows, ['l']),
    ].join('\n'),
    { accuracyBefore: before.accuracy, accuracyAfter: after.accuracy, lossBefore: before.loss, lossAfter: after.loss, n: after.n, report, sparsity: sparsity(m.model), out: outPath },
  );
  return 0;
}
