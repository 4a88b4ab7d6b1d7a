import { classifierFromFile, readModelFile } from '../io/index.js';
import { parse, required } from './args.js';
import { infoSequence } from './cmd-seq.js';
import { infoLocal, LOCAL_KINDS } from './local-info.js';
import { Output } from './output.js';

export const usage = `locus info MODEL.json [--json]
  Describe a saved model: kind, input, classes, architecture, parameter count, training history.`;

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv, {}, true);
  const path = required(positionals[0], 'MODEL (the model file)');
  const out = new Output(Boolean(v.json));
  const file = await readModelFile(path);
  if (file.kind === 'sequence') return infoSequence(path, file, out);
  if (LOCAL_KINDS.includes(file.kind)) return infoLocal(path, file, out);
  if (file.kind !== 'classifier') {
    out.result(`${path}: a "${file.kind}" model, format version ${file.version}, made by Locus ${file.locusVersion} on ${file.createdAt}`, {
      kind: file.kind,
      version: file.version,
      createdAt: file.createdAt,
      locusVersion: file.locusVersion,
    });
    return 0;
  }
  const m = classifierFromFile(file); // the file read above, built once
  const params = m.model.params().reduce((a, p) => a + p.value.length, 0);
  const layers = m.model.layers.map((l) => `${l.type} ${l.outputShape.join('x')}`);
  const info = {
    kind: file.kind,
    version: file.version,
    createdAt: file.createdAt,
    locusVersion: file.locusVersion,
    input: m.input,
    normalization: m.normalization,
    classes: m.classes,
    parameters: params,
    layers,
    seed: m.training.seed,
    settings: m.training.settings,
    history: m.training.history,
    resumable: m.optimizer !== null,
  };
  if (out.json) {
    out.result('', info);
    return 0;
  }
  const last = m.training.history[m.training.history.length - 1];
  const lines = [
    `${path}: classifier, format version ${file.version}, made by Locus ${file.locusVersion} on ${file.createdAt}`,
    `input ${m.input.width}x${m.input.height}, ${m.input.channels === 1 ? 'grayscale' : 'RGB'}, normalization ${m.normalization.kind}`,
    `${m.classes.length} classes: ${m.classes.join(', ')}`,
    `${params.toLocaleString('en-US')} parameters in ${m.model.layers.length} layers:`,
    ...layers.map((l, i) => `  ${i + 1}. ${l}`),
    `trained ${m.training.history.length} epochs with seed ${m.training.seed}` +
      (last && typeof last.valAcc === 'number' ? `; last validation accuracy ${(100 * last.valAcc).toFixed(2)}%` : ''),
    m.optimizer ? 'optimizer state included: training can resume' : 'no optimizer state',
  ];
  out.result(lines.join('\n'));
  return 0;
}
