/**
 * What the engine process holds between requests: the image folder loaded now and its train/validation
 * split, the run registry (every run of every kind, saved to the workspace folder) and the classifier
 * runs on it. Handlers of other methods (training, clustering, ...) read them from here.
 */
import type { LoadResult } from '../data/folder.js';
import type { DataSummary } from '../protocol/contract.js';
import { ClassifierRuns } from '../session/classifier-run.js';
import type { EventSink } from '../session/events.js';
import { Experiments } from '../session/experiments/index.js';
import { GanRuns } from '../session/gan-run.js';
import { SequenceRuns } from '../session/sequence-run.js';
import { RunRegistry, workspaceDir, workspaceLimit } from '../session/runs.js';

export interface LoadedData {
  readonly result: LoadResult;
  readonly split: { readonly train: Int32Array; readonly val: Int32Array };
  readonly summary: DataSummary;
}

let current: LoadedData | null = null;
const lists = new Map<string, Int32Array>();
let sink: EventSink | null = null;
let registry: RunRegistry | null = null;
let classifiers: ClassifierRuns | null = null;
let gans: GanRuns | null = null;
let sequences: SequenceRuns | null = null;
let experiments: Experiments | null = null;

export const workspace = {
  get data(): LoadedData | null {
    return current;
  },
  set(data: LoadedData | null): void {
    current = data;
    lists.clear();
  },
  /** Where registry events (runs.changed, runs.removed) go: the engine's port, set at start. */
  setSink(s: EventSink | null): void {
    sink = s;
  },
  /**
   * The run registry, made on first use from LOCUS_WORKSPACE_DIR (the shell sets it to <userData>/runs;
   * 'off': runs last until the engine stops) and LOCUS_WORKSPACE_LIMIT_MB.
   */
  get runs(): RunRegistry {
    registry ??= new RunRegistry({
      dir: workspaceDir(),
      limit: workspaceLimit(),
      origin: 'app',
      events: { changed: (r) => sink?.emit('runs.changed', r), removed: (id) => sink?.emit('runs.removed', { id }) },
    });
    return registry;
  },
  get classifiers(): ClassifierRuns {
    classifiers ??= new ClassifierRuns(this.runs);
    return classifiers;
  },
  get gans(): GanRuns {
    gans ??= new GanRuns(this.runs);
    return gans;
  },
  get sequences(): SequenceRuns {
    sequences ??= new SequenceRuns(this.runs);
    return sequences;
  },
  get experiments(): Experiments {
    experiments ??= new Experiments(() => this.runs);
    return experiments;
  },
  /** The loaded folder as a classifier run trains on it. */
  runData(): { set: LoadResult['set']; split: { train: Int32Array; val: Int32Array }; valFraction: number } | null {
    return current ? { set: current.result.set, split: current.split, valFraction: current.summary.split.valFraction } : null;
  },
  /**
   * Indices into the whole set of the images of one side of the split (or all), optionally of one class
   * (-1: the unlabeled ones), in ascending order. Computed once per key and kept until the next load.
   */
  indices(subset: 'all' | 'train' | 'val', classIndex: number | undefined): Int32Array {
    if (!current) throw new Error('no folder is loaded');
    const key = `${subset}:${classIndex ?? '*'}`;
    let list = lists.get(key);
    if (list) return list;
    const { labels, n } = current.result.set;
    const base = subset === 'all' ? null : Int32Array.from(current.split[subset]).sort();
    const size = base ? base.length : n;
    const out = new Int32Array(size);
    let k = 0;
    for (let j = 0; j < size; j++) {
      const i = base ? base[j] : j;
      if (classIndex === undefined || labels[i] === classIndex) out[k++] = i;
    }
    list = out.slice(0, k);
    lists.set(key, list);
    return list;
  },
};
