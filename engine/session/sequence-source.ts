/**
 * The sequences of a Sequence-view run: the loaded folder read row by row (the Data view's split,
 * normalized with the training side's channel statistics) or a generated series (seeded, split by
 * class). Also what a model file records about them.
 */
import { Rng } from '../core/rng.js';
import { channelStats } from '../data/batch.js';
import { imageRows, makeSeries, seriesSpec, type SequenceSource } from '../data/series.js';
import { splitIndices } from '../data/split.js';
import type { LoadedSequence, SequenceData } from '../io/sequence.js';
import { LabError } from '../protocol/contract.js';
import type { SeqConfig } from '../protocol/sequence.js';
import { scorable } from './sequence-eval.js';
import type { ImageSet } from '../data/folder.js';

export interface SeqData {
  source: SequenceSource;
  data: SequenceData;
  train: Int32Array;
  val: Int32Array;
}

const DEFAULT_N = 1024;
const DEFAULT_VAL = 0.1;

const invalid = (message: string): LabError => new LabError({ message, code: 'invalid' });

/** The loaded folder and its split, for row-by-row classification. */
export interface SeqFolder {
  set: ImageSet;
  split: { train: Int32Array; val: Int32Array };
}

export function sequenceData(cfg: SeqConfig, folder: SeqFolder | null): SeqData {
  if (cfg.task === 'rows') {
    const loaded = folder;
    if (!loaded) throw new LabError({ message: 'no folder is loaded: open one in Data first (or pick a generated series)', code: 'unavailable' });
    const { set } = loaded;
    if (set.classes.length < 2) throw invalid(`row-by-row classification needs at least 2 classes; the folder has ${set.classes.length}`);
    const labelled = (idx: Int32Array) => idx.filter((i) => set.labels[i] >= 0);
    const train = labelled(loaded.split.train);
    const val = labelled(loaded.split.val);
    if (train.length === 0) throw invalid('no labelled training images in the folder');
    const normalization = { kind: 'standard' as const, ...channelStats(set, train) };
    const image = { channels: set.channels, height: set.height, width: set.width };
    return { source: imageRows(set, normalization), data: { source: 'rows', image, normalization }, train, val };
  }
  const s = cfg.series ?? {};
  let spec;
  try {
    spec = seriesSpec(cfg.task, { ...(s.steps !== undefined ? { steps: s.steps } : {}), ...(s.classes !== undefined ? { classes: s.classes } : {}), ...(s.noise !== undefined ? { noise: s.noise } : {}) });
  } catch (e) {
    throw invalid((e as Error).message);
  }
  const n = s.n ?? DEFAULT_N;
  const source = makeSeries(spec, n, new Rng(cfg.seed));
  const split = splitIndices(n, cfg.valFraction ?? DEFAULT_VAL, new Rng(cfg.seed ^ 0x51), source.labels ?? undefined);
  return { source, data: { source: 'series', series: spec }, train: split.train, val: split.val };
}

/**
 * The sequences a run continuing a sequence model file trains on: the file's own kind of data (image
 * rows of the loaded folder at the file's size, with the file's classes and normalization; or its
 * series, generated anew with the run's seed). Refused with the reason when the folder does not fit.
 */
export function continuedSequenceData(cfg: SeqConfig, folder: SeqFolder | null, from: LoadedSequence): SeqData {
  const d = from.data;
  if (d.source === 'series') {
    if (cfg.task !== d.series.name) throw invalid(`the model was trained on "${d.series.name}" series; continue it on that task (not "${cfg.task}")`);
    const n = cfg.series?.n ?? DEFAULT_N;
    const source = makeSeries(d.series, n, new Rng(cfg.seed));
    const split = splitIndices(n, cfg.valFraction ?? DEFAULT_VAL, new Rng(cfg.seed ^ 0x51), source.labels ?? undefined);
    return { source, data: d, train: split.train, val: split.val };
  }
  if (cfg.task !== 'rows') throw invalid(`the model was trained on image rows; continue it on that task (not "${cfg.task}")`);
  if (!folder) throw new LabError({ message: 'no folder is loaded: open one in Data first (the model reads image rows)', code: 'unavailable' });
  const { set } = folder;
  const { image } = d;
  if (set.width !== image.width || set.height !== image.height || set.channels !== image.channels) {
    throw invalid(`the model reads ${image.width}x${image.height} ${image.channels === 1 ? 'greyscale' : 'colour'} images; the folder is loaded as ${set.width}x${set.height}, ${set.channels === 1 ? 'greyscale' : 'colour'}: reload it at the model's size`);
  }
  if (set.classes.length !== from.classes.length || set.classes.some((c, i) => c !== from.classes[i])) {
    throw invalid(`the model's classes (${from.classes.join(', ')}) are not the folder's (${set.classes.join(', ')})`);
  }
  const labelled = (idx: Int32Array) => idx.filter((i) => set.labels[i] >= 0);
  const train = labelled(folder.split.train);
  if (train.length === 0) throw invalid('no labelled training images in the folder');
  return { source: imageRows(set, d.normalization), data: d, train, val: labelled(folder.split.val) };
}

/** The sequences gate traces are measured on: the first `probe` scorable ones of the validation side (or training side). */
export function probeIndices(d: SeqData, probe: number): Int32Array {
  const side = scorable(d.source, d.val.length > 0 ? d.val : d.train);
  return side.slice(0, probe);
}
