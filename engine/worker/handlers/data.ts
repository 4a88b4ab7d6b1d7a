import { basename } from 'node:path';
import { existsSync } from 'node:fs';
import { Rng } from '../../core/rng.js';
import { loadImageFolder, type LoadOptions as LoaderOptions, type LoadResult } from '../../data/folder.js';
import { splitIndices } from '../../data/split.js';
import { type DataSummary, LabError, type LoadOptions, MAX_SKIPPED_LISTED, type Thumbnails } from '../../protocol/contract.js';
import { appFile } from '../app-root.js';
import type { Context, Handlers } from '../server.js';
import { workspace } from '../workspace.js';

export const DEFAULT_VAL_FRACTION = 0.2;
export const DEFAULT_SEED = 1;

let loading: AbortController | null = null;

function summarize(result: LoadResult, split: { train: Int32Array; val: Int32Array }, valFraction: number, seed: number, elapsedMs: number): DataSummary {
  const { set } = result;
  const perClass = (idx: Int32Array): number[] => {
    const c = new Array<number>(set.classes.length).fill(0);
    for (const i of idx) if (set.labels[i] >= 0) c[set.labels[i]]++;
    return c;
  };
  return {
    root: result.root,
    name: basename(result.root) || result.root,
    n: set.n,
    width: set.width,
    height: set.height,
    channels: set.channels === 3 ? 3 : 1,
    classes: set.classes,
    counts: result.counts,
    unlabeled: result.unlabeled,
    skipped: result.skipped.slice(0, MAX_SKIPPED_LISTED),
    skippedTotal: result.skipped.length,
    split: { valFraction, seed, train: split.train.length, val: split.val.length, trainCounts: perClass(split.train), valCounts: perClass(split.val) },
    cacheHits: result.cacheHits,
    elapsedMs,
  };
}

export async function openFolder(path: string, options: LoadOptions, ctx: Context): Promise<DataSummary> {
  loading?.abort(); // a new load replaces the one in progress
  const controller = new AbortController();
  loading = controller;
  const t0 = performance.now();
  try {
    const opts: LoaderOptions = {
      signal: controller.signal,
      onProgress: (p) => ctx.emit('data.progress', p.cached === undefined ? { phase: p.phase, done: p.done, total: p.total } : { ...p }),
    };
    // LOCUS_CACHE_DIR: where decoded folders are cached ('off': no cache); unset: the loader's default.
    const cacheDir = process.env.LOCUS_CACHE_DIR;
    if (cacheDir) opts.cacheDir = cacheDir === 'off' ? null : cacheDir;
    if (options.width !== undefined) opts.width = options.width;
    if (options.height !== undefined) opts.height = options.height;
    if (options.channels !== undefined) opts.channels = options.channels;
    if (options.fit !== undefined) opts.fit = options.fit;
    const result = await loadImageFolder(path, opts);
    if (controller.signal.aborted) throw new LabError({ message: 'cancelled', code: 'cancelled' });
    const valFraction = options.valFraction ?? DEFAULT_VAL_FRACTION;
    const seed = options.seed ?? DEFAULT_SEED;
    const labelled = result.set.labels;
    const split = splitIndices(result.set.n, valFraction, new Rng(seed), labelled);
    const summary = summarize(result, split, valFraction, seed, performance.now() - t0);
    workspace.set({ result, split, summary });
    ctx.emit('data.loaded', summary);
    return summary;
  } finally {
    if (loading === controller) loading = null;
  }
}

export function thumbnails(offset: number, count: number, classIndex: number | undefined, subset: 'all' | 'train' | 'val'): Thumbnails {
  const data = workspace.data;
  if (!data) throw new LabError({ message: 'no folder is loaded', code: 'unavailable' });
  const { set } = data.result;
  const list = workspace.indices(subset, classIndex);
  const from = Math.min(offset, list.length);
  const to = Math.min(from + count, list.length);
  const per = set.channels * set.height * set.width;
  const pixels = new Uint8Array((to - from) * per);
  const labels = new Int32Array(to - from);
  const indices = list.slice(from, to);
  const names: string[] = [];
  const rootPrefix = data.result.root.endsWith('/') || data.result.root.endsWith('\\') ? data.result.root : data.result.root + '/';
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    pixels.set(set.pixels.subarray(i * per, (i + 1) * per), k * per);
    labels[k] = set.labels[i];
    const p = set.paths[i] ?? '';
    names.push(p.startsWith(rootPrefix) ? p.slice(rootPrefix.length) : p);
  }
  return { total: list.length, offset: from, width: set.width, height: set.height, channels: set.channels === 3 ? 3 : 1, pixels, labels, indices, names };
}

/** The bundled sample folder: LOCUS_SAMPLE_DIR if set, else assets/sample/fashion-mnist in the app. */
export function samplePath(): string {
  const p = process.env.LOCUS_SAMPLE_DIR || appFile('assets', 'sample', 'fashion-mnist');
  if (!existsSync(p)) throw new LabError({ message: `the bundled sample is missing (${p})`, code: 'unavailable' });
  return p;
}

export const dataHandlers = {
  'data.open': (p, ctx) => openFolder(p.path, p.options ?? {}, ctx),
  'data.cancel': () => {
    const was = loading !== null;
    loading?.abort();
    return { cancelled: was };
  },
  'data.current': () => ({ summary: workspace.data?.summary ?? null }),
  'data.thumbnails': (p) => thumbnails(p.offset, p.count, p.classIndex, p.subset ?? 'all'),
  'data.sample': () => ({ path: samplePath() }),
} satisfies Partial<Handlers>;
