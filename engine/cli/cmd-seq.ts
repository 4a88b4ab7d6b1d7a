/**
 * locus seq: train a sequence model (simple RNN, LSTM, GRU or time-delay network) on image rows or a
 * generated series and save it as a model file of kind "sequence". Also the sequence parts of
 * `locus eval` and `locus info`.
 */
import { Rng } from '../core/rng.js';
import { channelStats } from '../data/batch.js';
import type { Normalization } from '../data/normalize.js';
import { imageRows, makeSeries, seriesSpec, type SequenceSource, type SeriesName, type SeriesSpec } from '../data/series.js';
import { splitIndices } from '../data/split.js';
import { sequenceFromFile, sequenceToFile, type LoadedSequence, type SequenceData } from '../io/sequence.js';
import { readModelFile, writeModelFile, type ModelFile } from '../io/index.js';
import '../layers/index.js';
import { CELLS, sequenceSpec } from '../models/sequence.js';
import { Sequential } from '../models/sequential.js';
import { createOptimizer } from '../optim/index.js';
import { SequenceTrainer, type SequenceTrainSettings } from '../session/sequence.js';
import { evaluateSequences, scorable } from '../session/sequence-eval.js';
import { num, oneOf, parse, required } from './args.js';
import { optimizerSpec } from './cmd-train.js';
import { LOAD_OPTIONS, LOAD_USAGE, loadFolder, loadOptions } from './load.js';
import { relabel } from './model.js';
import { Output, table } from './output.js';

const TASKS = ['rows', 'sines', 'next', 'memory', 'adding'] as const;

export const usage = `locus seq --task TASK --out MODEL.json [options]
       locus seq --resume MODEL.json --out MODEL.json [options]
  Train a sequence model and save it as a Locus model file (kind "sequence").
  --resume MODEL.json continue training a saved sequence model: its layers, task and optimizer state; image
                      rows are read at its size with its normalization and must have its classes; a
                      series is generated anew from its options (--n, --seed); its epochs come first
  --task TASK         rows    classify images read row by row (needs --data DIR; 28 steps of 28 features at 28x28)
                      sines   classify the frequency of a noisy sine
                      next    predict the next value of a noisy sine (regression)
                      memory  long memory: a marker at step 0, then noise; the class is the marker
                      adding  the adding problem (regression)
  --cell NAME         rnn, lstm (default), gru or tdnn (time-delay layers)
  --units N           units per layer (default 16)
  --layers N          stacked layers (default 1)
  --kernel N          tdnn window in steps (default 5)
  --epochs N          passes over the training sequences (default 10)
  --optimizer NAME    adam (default), sgd, momentum, nesterov or rmsprop;  --lr X (default 0.001 for adam)
  --batch N           mini-batch size (default 32)
  --clip X            clip the global gradient norm to X (default 1; 0 = off)
  --seed N            random seed (default 1): weights, shuffles and generated data
  --val F             fraction held out for validation (default 0.1)
  generated series:   --n N sequences (default 2000), --steps N, --classes N, --noise X
  image rows:         --data DIR and the image options
${LOAD_USAGE}
  --json              one JSON object a line (progress, epochs, gate traces, result)`;

const OPTIONS = {
  ...LOAD_OPTIONS,
  task: { type: 'string' },
  data: { type: 'string' },
  out: { type: 'string' },
  cell: { type: 'string' },
  units: { type: 'string' },
  layers: { type: 'string' },
  kernel: { type: 'string' },
  epochs: { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  batch: { type: 'string' },
  clip: { type: 'string' },
  seed: { type: 'string' },
  val: { type: 'string' },
  n: { type: 'string' },
  steps: { type: 'string' },
  classes: { type: 'string' },
  noise: { type: 'string' },
  resume: { type: 'string' },
} as const;

interface Prepared {
  source: SequenceSource;
  data: SequenceData;
  train: Int32Array;
  val: Int32Array;
}

async function prepareRows(v: Record<string, unknown>, seed: number, valFraction: number, out: Output, from: LoadedSequence | null = null): Promise<Prepared> {
  const dir = required(v.data as string | undefined, 'data');
  const load = loadOptions(v);
  const was = from?.data.source === 'rows' ? from.data : null;
  if (was) Object.assign(load, { width: was.image.width, height: was.image.height, channels: was.image.channels === 3 ? 3 : 1, ...(was.fit ? { fit: was.fit } : {}) });
  const { set, skipped, counts } = await loadFolder(dir, load, out);
  if (set.classes.length < 2) throw new Error(`row-by-row classification needs at least 2 classes (subfolders of ${dir}); found ${set.classes.length}`);
  if (from && (set.classes.length !== from.classes.length || set.classes.some((c, i) => c !== from.classes[i]))) {
    throw new Error(`--resume: the model's classes (${from.classes.join(', ')}) are not the folder's (${set.classes.join(', ')})`);
  }
  const labelled = Int32Array.from(set.labels.keys()).filter((i) => set.labels[i] >= 0);
  const split = splitIndices(labelled.length, valFraction, new Rng(seed), Int32Array.from(labelled, (i) => set.labels[i]));
  const train = Int32Array.from(split.train, (p) => labelled[p]);
  const val = Int32Array.from(split.val, (p) => labelled[p]);
  const normalization: Normalization = was ? was.normalization : { kind: 'standard', ...channelStats(set, train) };
  out.info(`${set.n} images in ${set.classes.length} classes (${counts.join('/')}); ${skipped.length} skipped; ${train.length} for training, ${val.length} for validation; ${set.height} steps of ${set.width * set.channels} features`, {
    event: 'data',
    loaded: set.n,
    classes: set.classes,
    train: train.length,
    val: val.length,
    steps: set.height,
    features: set.width * set.channels,
  });
  const image = { channels: set.channels, height: set.height, width: set.width };
  return { source: imageRows(set, normalization), data: { source: 'rows', image, normalization, fit: load.fit ?? 'cover' }, train, val };
}

function prepareSeries(name: SeriesName, v: Record<string, unknown>, seed: number, valFraction: number, out: Output, from: LoadedSequence | null = null): Prepared {
  const opt = (k: string, lo: number, hi: number, int: boolean) => (v[k] === undefined ? undefined : num(v[k] as string, k, 0, lo, hi, int));
  const spec: SeriesSpec = from?.data.source === 'series' ? from.data.series : seriesSpec(name, { steps: opt('steps', 1, 10000, true), classes: opt('classes', 1, 64, true), noise: opt('noise', 0, 100, false) });
  const n = num(v.n as string | undefined, 'n', 2000, 2, 1e6, true);
  const source = makeSeries(spec, n, new Rng(seed));
  const split = splitIndices(n, valFraction, new Rng(seed ^ 0x51), source.labels ?? undefined);
  out.info(`${n} generated "${name}" sequences of ${spec.steps} steps x ${source.features} features (noise ${spec.noise}); ${split.train.length} for training, ${split.val.length} for validation`, {
    event: 'data',
    series: spec,
    n,
    train: split.train.length,
    val: split.val.length,
  });
  return { source, data: { source: 'series', series: spec }, train: split.train, val: split.val };
}

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, OPTIONS);
  let from: LoadedSequence | null = null;
  if (v.resume !== undefined) {
    const f = await readModelFile(v.resume);
    if (f.kind !== 'sequence') throw new Error(`--resume ${v.resume} is a "${f.kind}" model; locus seq continues a "sequence" model`);
    from = sequenceFromFile(f);
    for (const k of ['cell', 'units', 'layers', 'kernel', 'steps', 'classes', 'noise'] as const) {
      if (v[k] !== undefined) throw new Error(`--${k} is the saved model's with --resume; leave it out`);
    }
  }
  const fileTask = from ? (from.data.source === 'rows' ? 'rows' : from.data.series.name) : null;
  if (fileTask && v.task !== undefined && v.task !== fileTask) throw new Error(`--resume: the model was trained on the "${fileTask}" task, not "${v.task}"`);
  const task = oneOf(fileTask ?? required(v.task, 'task'), 'task', TASKS, 'rows');
  const outPath = required(v.out, 'out');
  const cell = oneOf(v.cell, 'cell', CELLS, 'lstm');
  const seed = num(v.seed, 'seed', 1, 0, 2 ** 32 - 1, true);
  const valFraction = num(v.val, 'val', 0.1, 0, 0.9);
  const optName = oneOf(v.optimizer, 'optimizer', ['adam', 'sgd', 'momentum', 'nesterov', 'rmsprop'] as const, 'adam');
  const lr = v.lr === undefined ? undefined : num(v.lr, 'lr', 0, 1e-12, 10);
  const settings: SequenceTrainSettings = {
    epochs: num(v.epochs, 'epochs', 10, 1, 100000, true),
    batchSize: num(v.batch, 'batch', 32, 1, 65536, true),
    seed,
    optimizer: optimizerSpec(optName, lr, 0, false),
    clipNorm: num(v.clip, 'clip', 1, 0, 1e9),
    gates: { probe: 32, sample: 0 },
  };
  const units = num(v.units, 'units', 16, 1, 4096, true);
  const layers = num(v.layers, 'layers', 1, 1, 16, true);
  const kernel = num(v.kernel, 'kernel', 5, 1, 1024, true);
  createOptimizer(settings.optimizer);
  const out = new Output(Boolean(v.json));
  const p = task === 'rows' ? await prepareRows(v, seed, valFraction, out, from) : prepareSeries(task, v, seed, valFraction, out, from);
  const { source } = p;
  if (from?.optimizer && lr !== undefined) from.optimizer.lr = lr;
  const model = from ? from.model : new Sequential(sequenceSpec({ cell, steps: source.steps, features: source.features, outputs: source.outputs, units, layers, kernel }), new Rng(seed));
  const trainer = new SequenceTrainer({ model, source, train: p.train, val: p.val, settings, ...(from?.optimizer ? { optimizer: from.optimizer } : {}) });
  const prior = from?.training.history ?? [];
  if (from) out.info(`continuing ${v.resume}: ${prior.length} epoch(s) so far, ${from.optimizer ? 'with' : 'without'} its optimizer state`, { event: 'resume', epochs: prior.length, optimizer: from.optimizer !== null });
  const onSig = () => trainer.control.stop();
  process.once('SIGINT', onSig);
  let done;
  const classify = source.task === 'classify';
  try {
    done = await trainer.run((e) => {
      if (e.type === 'batch') out.progress(`epoch ${e.epoch}/${settings.epochs}`, e.batch, e.batches, `loss ${e.loss.toFixed(4)}`);
      else if (e.type === 'epoch') {
        const acc = (x: number | null) => (x === null ? '' : `  acc ${(100 * x).toFixed(2)}%`);
        const val = e.valLoss === null ? '' : `  val loss ${e.valLoss.toFixed(4)}${classify ? `  val acc ${(100 * e.valAcc!).toFixed(2)}%` : ''}`;
        out.info(`epoch ${e.epoch}/${e.epochs}  loss ${e.trainLoss.toFixed(4)}${acc(e.trainAcc)}${val}  (${e.seconds.toFixed(1)} s)`, { event: 'epoch', ...e, type: undefined });
      } else if (e.type === 'gates' && out.json) {
        out.info('', { event: 'gates', epoch: e.epoch, traces: e.traces });
      }
    });
  } finally {
    process.off('SIGINT', onSig);
  }
  if (done.reason === 'diverged') throw new Error(done.message);
  const file = sequenceToFile({
    model,
    data: p.data,
    task: source.task,
    classes: source.classes,
    training: {
      seed: from ? from.training.seed : seed,
      settings: from ? { ...from.training.settings, ...settings, valFraction, n: source.n } : { ...settings, task, cell, units, layers, kernel, valFraction, n: source.n },
      history: [...prior, ...trainer.history.map((h) => ({ ...h, epoch: h.epoch + prior.length }))],
    },
    optimizer: trainer.optimizer,
  });
  await writeModelFile(outPath, file);
  const last = trainer.history[trainer.history.length - 1];
  const score = !last || last.valLoss === null ? '' : classify ? ` (validation accuracy ${(100 * last.valAcc!).toFixed(2)}%)` : ` (validation mean squared error ${last.valLoss.toPrecision(4)})`;
  out.result(`${done.message}. Saved ${outPath}${score}`, { event: 'done', reason: done.reason, message: done.message, out: outPath, history: trainer.history });
  return done.reason === 'stopped' ? 1 : 0;
}

/**
 * `locus eval` on a sequence model: image rows from --data DIR (resized as in training), or fresh
 * generated sequences (--n, default 1000; --seed, default the training seed + 1, so none was trained on).
 */
export async function evalSequence(file: ModelFile, argv: string[]): Promise<number> {
  const { values: v } = parse(argv, { model: { type: 'string' }, data: { type: 'string' }, n: { type: 'string' }, seed: { type: 'string' }, 'no-cache': { type: 'boolean' } });
  const out = new Output(Boolean(v.json));
  const m = sequenceFromFile(file);
  let source: SequenceSource;
  let unknown: string[] = [];
  let where: string;
  if (m.data.source === 'rows') {
    const dir = required(v.data, 'data');
    const { image, normalization, fit } = m.data;
    const loaded = await loadFolder(dir, { width: image.width, height: image.height, channels: image.channels === 3 ? 3 : 1, ...(fit ? { fit } : {}), ...(v['no-cache'] ? { cacheDir: null } : {}) }, out);
    const r = relabel(loaded.set, m.classes);
    unknown = r.unknown;
    source = imageRows(r.set, normalization);
    where = `images of ${dir}`;
  } else {
    const n = num(v.n, 'n', 1000, 1, 1e6, true);
    const seed = num(v.seed, 'seed', (m.training.seed + 1) % 2 ** 32, 0, 2 ** 32 - 1, true);
    source = makeSeries(m.data.series, n, new Rng(seed));
    where = `fresh "${m.data.series.name}" sequences (seed ${seed})`;
  }
  const idx = scorable(source, Int32Array.from({ length: source.n }, (_, i) => i));
  if (idx.length === 0) throw new Error(`nothing to score: no images of the model's classes (${m.classes.join(', ')})`);
  const r = evaluateSequences(m.model, source, idx);
  if (out.json) {
    out.result('', { kind: 'sequence', task: m.task, accuracy: r.accuracy, loss: r.loss, n: r.n, classes: m.classes, confusion: r.confusion, unknownClasses: unknown });
    return 0;
  }
  if (r.accuracy === null) {
    out.result(`mean squared error ${r.loss.toPrecision(4)} on ${r.n} ${where}`);
    return 0;
  }
  const lines = [`accuracy ${(100 * r.accuracy).toFixed(2)}% on ${r.n} ${where} (loss ${r.loss.toFixed(4)})`];
  if (unknown.length) lines.push(`not counted: folders the model has no class for: ${unknown.join(', ')}`);
  lines.push('', 'confusion matrix (rows: actual, columns: predicted)');
  const rows: (string | number)[][] = [['', ...m.classes.map((_, i) => `${i}`)]];
  r.confusion!.forEach((row, i) => rows.push([`${i} ${m.classes[i]}`, ...row]));
  lines.push(table(rows, ['l']));
  out.result(lines.join('\n'));
  return 0;
}

/** The model file named by --model in argv when it is a sequence model, else null (for `locus eval`). */
export async function sequenceModelIn(argv: string[]): Promise<ModelFile | null> {
  const i = argv.findIndex((a) => a === '--model' || a.startsWith('--model='));
  if (i < 0) return null;
  const path = argv[i].startsWith('--model=') ? argv[i].slice(8) : argv[i + 1];
  if (!path) return null;
  const file = await readModelFile(path);
  return file.kind === 'sequence' ? file : null;
}

/** `locus info` on a sequence model. */
export function infoSequence(path: string, file: ModelFile, out: Output): number {
  const m: LoadedSequence = sequenceFromFile(file);
  const params = m.model.params().reduce((a, p) => a + p.value.length, 0);
  const layers = m.model.layers.map((l) => `${l.type} ${l.outputShape.join('x')}`);
  const [steps, features] = m.model.inputShape;
  const info = {
    kind: file.kind,
    version: file.version,
    createdAt: file.createdAt,
    locusVersion: file.locusVersion,
    task: m.task,
    data: m.data,
    steps,
    features,
    classes: m.classes,
    outputs: m.outputs,
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
  const d = m.data;
  const source = d.source === 'rows'
    ? `rows of ${d.image.width}x${d.image.height} ${d.image.channels === 1 ? 'grayscale' : 'RGB'} images`
    : `generated "${d.series.name}" series (noise ${d.series.noise})`;
  const last = m.training.history[m.training.history.length - 1];
  const lines = [
    `${path}: sequence model (${m.task}), format version ${file.version}, made by Locus ${file.locusVersion} on ${file.createdAt}`,
    `input ${steps} steps of ${features} features: ${source}`,
    m.task === 'classify' ? `${m.classes.length} classes: ${m.classes.join(', ')}` : `${m.outputs} regression output${m.outputs === 1 ? '' : 's'}`,
    `${params.toLocaleString('en-US')} parameters in ${m.model.layers.length} layers:`,
    ...layers.map((l, i) => `  ${i + 1}. ${l}`),
    `trained ${m.training.history.length} epochs with seed ${m.training.seed}` +
      (last && typeof last.valAcc === 'number' ? `; last validation accuracy ${(100 * last.valAcc).toFixed(2)}%` : last && typeof last.valLoss === 'number' ? `; last validation loss ${last.valLoss.toPrecision(4)}` : ''),
    m.optimizer ? 'optimizer state included: training can resume' : 'no optimizer state',
  ];
  out.result(lines.join('\n'));
  return 0;
}
