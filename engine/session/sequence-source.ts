/**
 * The sequences of a Sequence-view run: the loaded folder read row by row (the Data view's split,
 * normalized with the training side's channel statistics) or a generated series (seeded, split by
 * class). Also what a model file records about them.
 */
import { Rng } from '../core/rng.js';
import { channelStats } from '../data/batch.js';
import { imageRows, makeSeries, seriesSpec, type SequenceSource } from '../data/series.js';
import { splitIndices } from '../data/split.js';
import type { SequenceData } from '../io/sequence.js';
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

/** The sequences gate traces are measured on: the first `probe` scorable ones of the validation side (or training side). */
export function probeIndices(d: SeqData, probe: number): Int32Array {
  const side = scorable(d.source, d.val.length > 0 ? d.val : d.train);
  return side.slice(0, probe);
}
