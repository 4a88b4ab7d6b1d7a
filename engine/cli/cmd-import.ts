import { writeModelFile } from '../io/index.js';
import { importPytorch } from '../io/pytorch/import.js';
import { oneOf, parse, required } from './args.js';
import { Output, UsageError } from './output.js';

export const usage = `locus import --format pytorch DIR --out MODEL.json [--weights WDIR] [--json]
  Read a model that left Locus back into a Locus model file.
  --format pytorch  DIR is a folder written by \`locus export --format pytorch\` (a classifier, a GAN or a
                    sequence model); its weights.json + weights.bin (as train.py saves them) become
                    the model's tensors, and the epochs trained in PyTorch are added to its history
  --weights WDIR    read weights.json + weights.bin from WDIR (train.py --out WDIR) instead of DIR
  Every tensor is checked against the architecture; MODEL.json is replaced only on success.`;

const FORMATS = ['pytorch'] as const;

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, { format: { type: 'string' }, out: { type: 'string' }, weights: { type: 'string' } }, true);
  const format = oneOf(v.format, 'format', FORMATS, 'pytorch');
  if (v.format === undefined) throw new UsageError('--format is required (pytorch)');
  if (positionals.length !== 1) throw new UsageError(`give one folder to import, got ${positionals.length}`);
  const dir = positionals[0];
  const outPath = required(v.out, 'out');
  const out = new Output(Boolean(v.json));
  const file = await importPytorch(dir, v.weights ?? dir);
  await writeModelFile(outPath, file);
  const epochs = (file.model as { training: { history: unknown[] } }).training.history.length;
  const what = file.kind === 'gan' ? 'GAN' : file.kind === 'sequence' ? 'sequence model' : file.kind;
  out.result(`wrote ${outPath}: a ${what} from the PyTorch package ${dir} (${epochs} epochs of history)`, { format, kind: file.kind, out: outPath, epochs });
  return 0;
}
