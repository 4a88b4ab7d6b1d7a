/**
 * Running an experiment: its data loaded once, its variants trained one after another with the same
 * seed (each kept as a normal run), progress for the whole experiment, cancel, and the results the
 * report and the JSON export are made of. The worker's experiments handler and `locus experiment run`
 * are thin adapters over ExperimentRunner.
 */
import { Rng } from '../../core/rng.js';
import { loadImageFolder, type ImageSet } from '../../data/folder.js';
import { findSampleDir } from '../../data/sample.js';
import type { ExperimentFile } from '../../io/experiment.js';
import { LOCUS_VERSION } from '../../io/index.js';
import { LabError } from '../../protocol/contract.js';
import type { ExperimentInfo, ExperimentResults, VariantResult } from '../../protocol/experiments.js';
import type { RunRegistry } from '../runs.js';
import { classifierVariant } from './classifier.js';
import { clusterVariant } from './cluster.js';
import { finding } from './finding.js';
import { ganVariant } from './gan.js';
import { localVariant } from './local.js';
import { sequenceVariant } from './sequence.js';
import { describeChange, type Driver, type ExperimentData, mergeConfig } from './variant.js';

const DRIVERS: Record<ExperimentFile['kind'], Driver> = {
  classifier: classifierVariant,
  sequence: sequenceVariant,
  cluster: clusterVariant,
  gan: ganVariant,
  local: localVariant,
};

export const DEFAULT_SEED = 1;

/** What the experiment list shows of a file. */
export function experimentInfo(e: ExperimentFile, builtin: boolean): ExperimentInfo {
  const d = e.data;
  const words =
    d.source === 'sample'
      ? `the bundled sample (Fashion-MNIST photos${d.perClass ? `, ${d.perClass} a class` : ''})`
      : d.source === 'folder'
        ? 'the open folder'
        : d.source === 'toy'
          ? `a 2-D toy set${d.toy ? ` (${d.toy})` : ''}`
          : 'generated sequences';
  const folder = d.source === 'folder' ? 'required' : (d.folder ?? 'no');
  return {
    id: e.id,
    title: e.title,
    idea: e.idea,
    kind: e.kind,
    explanation: e.explanation,
    variants: e.variants.map((v) => v.name),
    data: words,
    folder,
    settings: e.settings ?? [],
    metrics: e.metrics,
    builtin,
  };
}

/** Images of a class kept: at most n of each, chosen with the seed (the same every run). */
export function limitPerClass(set: ImageSet, n: number, seed: number): ImageSet {
  const rng = new Rng(seed ^ 0x7e57);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < set.n; i++) {
    const l = set.labels[i];
    if (l < 0) continue;
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l)!.push(i);
  }
  const keep: number[] = [];
  for (const idx of byClass.values()) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    keep.push(...idx.slice(0, n));
  }
  keep.sort((a, b) => a - b);
  if (keep.length === set.n) return set;
  const per = set.channels * set.height * set.width;
  const pixels = new Uint8Array(keep.length * per);
  keep.forEach((i, k) => pixels.set(set.pixels.subarray(i * per, (i + 1) * per), k * per));
  return { ...set, n: keep.length, pixels, labels: Int32Array.from(keep, (i) => set.labels[i]), paths: keep.map((i) => set.paths[i]) };
}

export interface ExperimentRunOptions {
  file: ExperimentFile;
  builtin: boolean;
  /** 'folder': run on `folder` (where the experiment allows it). */
  data: 'default' | 'folder';
  /** The open folder (app) or the folder given with --data (CLI), loaded. */
  folder: { set: ImageSet; description: string } | null;
  runId: string;
  registry: RunRegistry | null;
  emit(event: 'experiment.progress' | 'experiment.variant' | 'experiment.done', payload: unknown): void;
}

const invalid = (message: string): LabError => new LabError({ message, code: 'invalid' });

/** The data an experiment runs on, loaded. */
async function experimentData(o: ExperimentRunOptions, seed: number): Promise<ExperimentData> {
  const e = o.file;
  const d = e.data;
  const allowed = d.source === 'folder' ? 'required' : (d.folder ?? 'no');
  const wantFolder = o.data === 'folder' || allowed === 'required';
  if (wantFolder) {
    if (allowed === 'no') throw invalid(`the experiment "${e.title}" runs on its own data, not on a folder`);
    if (!o.folder) throw new LabError({ message: `the experiment "${e.title}" runs on an image folder: open one in Data (or give --data DIR)`, code: 'unavailable' });
    const set = d.perClass ? limitPerClass(o.folder.set, d.perClass, seed) : o.folder.set;
    if (set.classes.length < 2) throw invalid(`the folder has ${set.classes.length} class; the experiment needs at least 2`);
    return { description: `${o.folder.description}${set.n !== o.folder.set.n ? `, ${set.n} of its images (at most ${d.perClass} a class)` : ''}`, set, source: o.folder.description };
  }
  if (d.source === 'sample') {
    const dir = findSampleDir();
    if (!dir) throw new LabError({ message: 'the bundled sample is missing from this installation', code: 'failed' });
    const loaded = await loadImageFolder(dir, { width: 28, height: 28, channels: 1 });
    const set = d.perClass ? limitPerClass(loaded.set, d.perClass, seed) : loaded.set;
    return { description: `the bundled sample: ${set.n} Fashion-MNIST photos in ${set.classes.length} classes, 28x28 gray`, set, source: 'sample' };
  }
  if (d.source === 'toy') return { description: `the 2-D toy set "${d.toy ?? 'default'}"${d.points ? `, ${d.points} points` : ''}`, set: null, source: `toy:${d.toy ?? 'default'}` };
  return { description: 'generated sequences (seeded)', set: null, source: 'series' };
}

export class ExperimentRunner {
  readonly results: ExperimentResults;
  readonly done: Promise<ExperimentResults>;
  #cancelled = false;
  #stop: (() => void) | null = null;

  constructor(private readonly o: ExperimentRunOptions) {
    const seed = o.file.seed ?? DEFAULT_SEED;
    this.results = {
      format: 'locus-experiment-results',
      version: 1,
      runId: o.runId,
      experiment: o.file as unknown as Record<string, unknown>,
      info: experimentInfo(o.file, o.builtin),
      locus: LOCUS_VERSION,
      seed,
      data: '',
      started: new Date().toISOString(),
      seconds: 0,
      state: 'running',
      message: 'starting',
      variants: [],
      finding: '',
    };
    this.done = this.#run(seed);
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Stop: the variant training now stops, the ones after it do not start. */
  cancel(): void {
    this.#cancelled = true;
    this.#stop?.();
  }

  async #run(seed: number): Promise<ExperimentResults> {
    const { file, runId } = this.o;
    const r = this.results;
    const t0 = performance.now();
    const n = file.variants.length;
    const finish = (state: ExperimentResults['state'], message: string): ExperimentResults => {
      r.state = state;
      r.message = message;
      r.seconds = (performance.now() - t0) / 1000;
      r.finding = finding(file, r.variants.filter((v) => v.outcome.reason !== 'cancelled'));
      this.o.emit('experiment.done', { runId, state, message, finding: r.finding });
      return r;
    };
    try {
      this.o.emit('experiment.progress', { runId, variant: 0, variants: n, name: file.variants[0].name, fraction: 0, message: 'loading the data' });
      const data = await experimentData(this.o, seed);
      r.data = data.description;
      const drive = DRIVERS[file.kind];
      for (let i = 0; i < n && !this.#cancelled; i++) {
        const v = file.variants[i];
        const started = performance.now();
        let last = 0;
        const result: VariantResult = await drive({
          experiment: file,
          index: i,
          name: v.name,
          config: mergeConfig(file.base, v.set),
          data,
          seed,
          progress: (f, message) => {
            const now = performance.now();
            if (now - last < 100 && f < 1) return;
            last = now;
            this.o.emit('experiment.progress', { runId, variant: i, variants: n, name: v.name, fraction: Math.min(1, (i + Math.max(0, Math.min(1, f))) / n), message: `${v.name}: ${message}` });
          },
          onCancel: (stop) => {
            this.#stop = stop;
            if (this.#cancelled) stop();
          },
          cancelled: () => this.#cancelled,
          registry: this.o.registry,
          runName: `${file.title} · ${v.name}`,
        }).then((d) => ({ name: v.name, change: v.note ?? describeChange(v.set), seconds: (performance.now() - started) / 1000, ...d }));
        this.#stop = null;
        if (this.#cancelled && result.outcome.reason === 'stopped') result.outcome = { reason: 'cancelled', message: 'cancelled' };
        r.variants.push(result);
        this.o.emit('experiment.variant', { runId, index: i, result });
      }
      if (this.#cancelled) return finish('cancelled', `cancelled after ${r.variants.length} of ${n} variants`);
      return finish('completed', `${n} variants in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    } catch (e) {
      return finish('failed', (e as Error).message);
    }
  }
}
