import { Rng } from '../core/rng.js';
import { classifierToFile, writeModelFile } from '../io/index.js';
import { growDense, insertLayer, type InsertKind } from '../models/grow.js';
import type { Sequential } from '../models/sequential.js';
import { evaluate, type Evaluation } from '../session/evaluate.js';
import { num, oneOf, parse, required } from './args.js';
import { loadClassifier } from './model.js';
import { loadModelData } from './model-data.js';
import { Output, UsageError } from './output.js';

export const usage = `locus grow --model MODEL.json --out GROWN.json (--units K --layer N | --insert residual|identity --at N) [--data DIR]
  Grow a saved classifier without changing what it computes:
  --units K --layer N   add K units to dense layer N (1-based, as \`locus info\` lists them); their
                        outgoing weights start at 0
  --insert KIND --at N  insert before layer N a residual block whose last layer starts at 0 (residual)
                        or a dense layer with W = I (identity, flat activations only)
  --data DIR            print the accuracy on an image folder before and after (the same)
  --seed N              seed of the new units' initial weights (default: the model's)
  --no-cache            decode every image again instead of using the cache
  The grown model has no optimizer state: continue with \`locus train --init GROWN.json\`, which starts a
  new optimizer.`;

const paramCount = (model: Sequential) => model.params().reduce((a, p) => a + p.value.length, 0);

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, {
    model: { type: 'string' },
    out: { type: 'string' },
    units: { type: 'string' },
    layer: { type: 'string' },
    insert: { type: 'string' },
    at: { type: 'string' },
    data: { type: 'string' },
    seed: { type: 'string' },
    'no-cache': { type: 'boolean' },
  });
  const modelPath = required(v.model, 'model');
  const outPath = required(v.out, 'out');
  const widen = v.units !== undefined || v.layer !== undefined;
  const deepen = v.insert !== undefined || v.at !== undefined;
  if (widen === deepen) throw new UsageError('give either --units K --layer N or --insert residual|identity --at N');
  const units = widen ? num(required(v.units, 'units'), 'units', 1, 1, 100_000, true) : 0;
  const layer = widen ? num(required(v.layer, 'layer'), 'layer', 1, 1, 100_000, true) : 0;
  const kind: InsertKind | null = deepen ? oneOf(required(v.insert, 'insert'), 'insert', ['residual', 'identity'] as const, 'residual') : null;
  const at = deepen ? num(required(v.at, 'at'), 'at', 1, 1, 100_000, true) : 0;
  const out = new Output(Boolean(v.json));
  const m = await loadClassifier(modelPath);
  const seed = num(v.seed, 'seed', m.training.seed, 0, 2 ** 32 - 1, true);
  const data = v.data === undefined ? null : await loadModelData(v.data, m, { noCache: Boolean(v['no-cache']), exact: false }, out);
  const score = (model: Sequential): Evaluation | null => (data ? evaluate(model, data.set, data.idx, m.normalization) : null);

  const before = score(m.model);
  const rng = new Rng(seed);
  const grown = kind ? insertLayer(m.model, at - 1, kind, rng) : growDense(m.model, layer - 1, units, rng);
  const after = score(grown);
  const what = kind ? `inserted a ${kind === 'residual' ? 'residual block' : 'identity dense layer'} before layer ${at}` : `added ${units} units to layer ${layer} (dense)`;
  const grownAs = kind ? { insert: kind, at, seed } : { units, layer, seed };
  const file = classifierToFile({
    model: grown,
    classes: m.classes,
    input: m.input,
    normalization: m.normalization,
    training: { seed: m.training.seed, settings: { ...m.training.settings, grown: { ...grownAs, from: modelPath } }, history: m.training.history },
  });
  await writeModelFile(outPath, file);
  const [p0, p1] = [paramCount(m.model), paramCount(grown)];
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const lines = [`${what}: ${p0.toLocaleString('en-US')} -> ${p1.toLocaleString('en-US')} parameters (+${(p1 - p0).toLocaleString('en-US')})`];
  if (before && after) {
    lines.push(`accuracy before ${pct(before.accuracy)}, after ${pct(after.accuracy)} on ${after.n} images (loss ${before.loss.toFixed(4)} -> ${after.loss.toFixed(4)})`);
  }
  lines.push(`Saved ${outPath}, without optimizer state: continue with \`locus train --init ${outPath} --data DIR\` (a new optimizer)`);
  out.result(lines.join('\n'), {
    grown: grownAs,
    paramsBefore: p0,
    paramsAfter: p1,
    layers: grown.layers.length,
    ...(before && after ? { accuracyBefore: before.accuracy, accuracyAfter: after.accuracy, lossBefore: before.loss, lossAfter: after.loss, n: after.n } : {}),
    optimizer: null,
    out: outPath,
  });
  return 0;
}
