/**
 * Load an image folder into one uint8 NCHW array: scan (scan.ts), fill what the cache still holds
 * (cache.ts), decode the rest in parallel (decode.ts), drop the files that could not be used and say why.
 * Memory: the final array is allocated once, from the scan's file count, and each decode writes into
 * its slot; no per-image buffer outlives its decode.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { lstat, realpath, stat } from 'node:fs/promises';
import { runPool, throwIfAborted } from './abort.js';
import { cacheFileName, defaultImageCacheDir, readCache, writeCache, type Wanted } from './cache.js';
import { decodeBytesInto, decodeInto, errnoReason, SkipError, type DecodeSpec, type Fit } from './decode.js';
import type { Rgb } from './pixels.js';
import { throttledProgress, type LoadProgress } from './progress.js';
import { compareCodePoints, scanFolder } from './scan.js';

export interface LoadOptions {
  /** Output size; default 28x28. */
  width?: number;
  height?: number;
  /** 1 = grayscale (BT.601 luma), 3 = RGB; default 1. */
  channels?: 1 | 3;
  /**
   * How the image meets the output size; default 'cover'.
   *  cover:   scale to fill, crop the overflow, centred (no padding, aspect kept);
   *  contain: scale to fit inside, pad with the background colour, centred;
   *  fill:    stretch to the exact size (aspect not kept).
   */
  fit?: Fit;
  /** Colour behind transparent pixels and 'contain' padding: a gray level or [r, g, b], 0..255; default 0 (black). */
  background?: number | Rgb;
  /** Input pixel limit (width x height, read from the header before decoding); default 64,000,000. */
  maxPixels?: number;
  /** Decodes in flight (libuv runs 4 at once by default; the rest wait with their file read); default 2 x cores, 8 to 16. */
  concurrency?: number;
  /**
   * Cache folder; null disables the cache. Default: $LOCUS_CACHE_DIR/images ('off' disables it), else
   * $XDG_CACHE_HOME/locus/images, else ~/.cache/locus/images.
   */
  cacheDir?: string | null;
  /** 'warning' (default) also rejects images the decoder had to guess at (corrupt data); 'error' only hard errors. */
  failOn?: 'warning' | 'error';
  /** Cancel: the load rejects with an Error named 'AbortError'. */
  signal?: AbortSignal;
  /** Throttled to one event per progressIntervalMs; the first and last event of each phase always come. */
  onProgress?: (p: LoadProgress) => void;
  /** Minimum time between progress events; default 100 ms. */
  progressIntervalMs?: number;
}

/** Pixels NCHW uint8, n*channels*height*width. */
export interface ImageSet {
  n: number;
  channels: number;
  height: number;
  width: number;
  pixels: Uint8Array;
  /** Class index per image; -1 = unlabeled (an image in the root folder). */
  labels: Int32Array;
  classes: string[];
  /** Absolute path per image. */
  paths: string[];
}

export interface Skipped {
  path: string;
  reason: string;
}

export interface CacheInfo {
  /** The cache file used, or null when the cache is disabled. */
  file: string | null;
  /** True when this load rewrote the cache file. */
  written: boolean;
  /** Why an existing cache file was ignored, or why it could not be written (the load still succeeded). */
  warning?: string;
}

export interface LoadResult {
  root: string;
  set: ImageSet;
  /** Every non-hidden file (or folder) that was not used, with the reason, sorted by path. */
  skipped: Skipped[];
  /** Images per class, same order as set.classes. */
  counts: number[];
  unlabeled: number;
  /** Images taken from the cache instead of being decoded. */
  cacheHits: number;
  cache: CacheInfo;
}

export const LOAD_DEFAULTS = Object.freeze({
  width: 28,
  height: 28,
  channels: 1 as 1 | 3,
  fit: 'cover' as Fit,
  background: 0,
  maxPixels: 64_000_000,
  failOn: 'warning' as 'warning' | 'error',
});

/** Bumped whenever decoding changes, so old cache files stop matching. */
const PIPELINE_VERSION = 1;

export const defaultConcurrency = (): number => Math.max(8, Math.min(16, 2 * availableParallelism()));

function intIn(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new RangeError(`loadImageFolder: ${name} must be an integer from ${lo} to ${hi}, got ${String(v)}`);
  }
  return v;
}

/** The decode settings a set of load options means (defaults filled in, every value checked). */
export function resolveDecodeSpec(o: LoadOptions = {}): DecodeSpec {
  const width = intIn('width', o.width ?? LOAD_DEFAULTS.width, 1, 4096);
  const height = intIn('height', o.height ?? LOAD_DEFAULTS.height, 1, 4096);
  const channels = o.channels ?? LOAD_DEFAULTS.channels;
  if (channels !== 1 && channels !== 3) throw new RangeError(`loadImageFolder: channels must be 1 or 3, got ${String(channels)}`);
  const fit = o.fit ?? LOAD_DEFAULTS.fit;
  if (fit !== 'contain' && fit !== 'cover' && fit !== 'fill') {
    throw new RangeError(`loadImageFolder: fit must be 'contain', 'cover' or 'fill', got ${String(fit)}`);
  }
  const bgIn = o.background ?? LOAD_DEFAULTS.background;
  const bgArr = typeof bgIn === 'number' ? [bgIn, bgIn, bgIn] : bgIn;
  if (!Array.isArray(bgArr) || bgArr.length !== 3) throw new RangeError('loadImageFolder: background must be a number or [r, g, b]');
  const background = bgArr.map((v, i) => intIn(`background[${i}]`, v, 0, 255)) as unknown as Rgb;
  const maxPixels = o.maxPixels ?? LOAD_DEFAULTS.maxPixels;
  if (typeof maxPixels !== 'number' || !(maxPixels >= 1)) throw new RangeError(`loadImageFolder: maxPixels must be >= 1, got ${String(maxPixels)}`);
  const failOn = o.failOn ?? LOAD_DEFAULTS.failOn;
  if (failOn !== 'warning' && failOn !== 'error') throw new RangeError(`loadImageFolder: failOn must be 'warning' or 'error'`);
  return { width, height, channels, fit, background, maxPixels, failOn };
}

export async function loadImageFolder(dir: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const spec = resolveDecodeSpec(opts);
  const concurrency = intIn('concurrency', opts.concurrency ?? defaultConcurrency(), 1, 1024);
  const { signal } = opts;
  throwIfAborted(signal);
  const report = throttledProgress(opts.onProgress, opts.progressIntervalMs ?? 100);

  report({ phase: 'scan', done: 0, total: 0 }, true);
  const scan = await scanFolder(dir, { signal, onFound: (k) => report({ phase: 'scan', done: k, total: k }) });
  const { root, classes, files } = scan;
  report({ phase: 'scan', done: files.length, total: files.length }, true);

  const per = spec.channels * spec.height * spec.width;
  const n0 = files.length;
  let pixels: Uint8Array;
  try {
    pixels = new Uint8Array(n0 * per);
  } catch {
    const gb = ((n0 * per) / 2 ** 30).toFixed(1);
    throw new RangeError(
      `${n0} files at ${spec.width}x${spec.height}x${spec.channels} need ${gb} GB, more than can be allocated; choose a smaller size or fewer images`,
    );
  }
  const ok = new Uint8Array(n0);
  const reasons: (string | null)[] = new Array<string | null>(n0).fill(null);

  // 1. the cache
  const cache: CacheInfo = { file: null, written: false };
  const cacheDir = opts.cacheDir === undefined ? defaultImageCacheDir() : opts.cacheDir;
  let cacheKey = '';
  let cachedEntries = -1;
  let cacheHits = 0;
  if (cacheDir !== null) {
    cacheKey = JSON.stringify({ v: PIPELINE_VERSION, root: await realpath(root), ...spec });
    cache.file = join(cacheDir, cacheFileName(cacheKey));
    const want: Wanted = new Map();
    files.forEach((f, i) => want.set(f.rel, { slot: i, size: f.size, mtimeMs: f.mtimeMs }));
    const r = await readCache(cache.file, cacheKey, per, want, pixels, signal);
    if (r.status === 'ok') {
      for (const i of r.filled) ok[i] = 1;
      cacheHits = r.filled.length;
      cachedEntries = r.entries;
    } else if (r.status === 'invalid') {
      cache.warning = `ignored the cache file ${cache.file}: ${r.reason}`;
    }
  }
  throwIfAborted(signal);

  // 2. decode what the cache did not have
  const todo: number[] = [];
  for (let i = 0; i < n0; i++) if (!ok[i]) todo.push(i);
  let done = cacheHits;
  const progress = (force = false): void => report({ phase: 'decode', done, total: n0, cached: cacheHits }, force);
  progress(true);
  await runPool(
    todo.length,
    concurrency,
    async (k) => {
      const i = todo[k];
      const f = files[i];
      try {
        await decodeInto(f.path, f.size, spec, pixels, i * per);
        ok[i] = 1;
      } catch (e) {
        reasons[i] = e instanceof SkipError ? e.message : `could not decode: ${e instanceof Error ? e.message : String(e)}`;
      }
      done++;
      progress();
    },
    signal,
  );
  progress(true);

  // 3. compact in place, in scan order
  const skipped = [...scan.skipped];
  const keep: number[] = [];
  for (let i = 0; i < n0; i++) {
    if (ok[i]) {
      const m = keep.length;
      if (m !== i) pixels.copyWithin(m * per, i * per, (i + 1) * per);
      keep.push(i);
    } else {
      skipped.push({ path: files[i].path, reason: reasons[i] ?? 'not decoded' });
    }
  }
  skipped.sort((a, b) => compareCodePoints(a.path, b.path));
  const n = keep.length;
  const labels = new Int32Array(n);
  const paths: string[] = new Array<string>(n);
  const counts = new Array<number>(classes.length).fill(0);
  let unlabeled = 0;
  for (let m = 0; m < n; m++) {
    const f = files[keep[m]];
    labels[m] = f.label;
    paths[m] = f.path;
    if (f.label < 0) unlabeled++;
    else counts[f.label]++;
  }
  const finalPixels = n === n0 ? pixels : pixels.slice(0, n * per);

  // 4. rewrite the cache when it does not hold exactly this set
  if (cache.file !== null && cacheDir !== null && n > 0 && (cacheHits !== n || cachedEntries !== n)) {
    try {
      const entries = keep.map((i) => ({ rel: files[i].rel, size: files[i].size, mtimeMs: files[i].mtimeMs }));
      await writeCache(cache.file, cacheDir, cacheKey, per, entries, finalPixels);
      cache.written = true;
    } catch (e) {
      const msg = `could not write the cache file ${cache.file}: ${e instanceof Error ? e.message : String(e)}`;
      cache.warning = cache.warning ? `${cache.warning}; ${msg}` : msg;
    }
  }

  return {
    root,
    set: { n, channels: spec.channels, height: spec.height, width: spec.width, pixels: finalPixels, labels, classes, paths },
    skipped,
    counts,
    unlabeled,
    cacheHits,
    cache,
  };
}

/**
 * Decode one image file exactly as loadImageFolder would (for prediction on new files).
 * Returns channels*height*width uint8 pixels (CHW); throws SkipError with the reason if it cannot be used.
 */
export async function loadImageFile(path: string, opts: LoadOptions = {}): Promise<Uint8Array> {
  const spec = resolveDecodeSpec(opts);
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new SkipError('a folder, not an image file');
    if (!st.isFile()) throw new SkipError('not a regular file');
    size = st.size;
  } catch (e) {
    if (e instanceof SkipError) throw e;
    throw new SkipError(await missingReason(path, e));
  }
  const out = new Uint8Array(spec.channels * spec.height * spec.width);
  await decodeInto(path, size, spec, out, 0);
  return out;
}

/** Why a file named directly cannot be opened, in words: a symlink loop or a broken link, a mangled name, or errnoReason's. */
async function missingReason(path: string, e: unknown): Promise<string> {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'symlink loop';
  if (code !== 'ENOENT') return errnoReason(e);
  if (await lstat(path).then((l) => l.isSymbolicLink(), () => false)) return 'broken symlink';
  // A name that is not valid UTF-8 reaches us with U+FFFD in place of its bytes, so no file has that name.
  if (path.includes('\uFFFD')) return 'no such file (a file name that is not valid UTF-8 cannot be given here: rename the file to use it)';
  return 'no such file';
}

/** Decode an image's bytes (a dropped file) exactly as loadImageFile decodes a file; throws SkipError with the reason. */
export async function loadImageBytes(bytes: Uint8Array, name: string, opts: LoadOptions = {}): Promise<Uint8Array> {
  const spec = resolveDecodeSpec(opts);
  const out = new Uint8Array(spec.channels * spec.height * spec.width);
  await decodeBytesInto(bytes, name, spec, out, 0);
  return out;
}

/** Skip reasons grouped by kind ("not an image", "corrupt or truncated PNG", ...), most frequent first. */
export function summarizeSkipped(skipped: readonly Skipped[]): { kind: string; count: number; example: string }[] {
  const groups = new Map<string, { kind: string; count: number; example: string }>();
  for (const s of skipped) {
    const kind = s.reason.split(/[:(;]/)[0].trim();
    const g = groups.get(kind);
    if (g) g.count++;
    else groups.set(kind, { kind, count: 1, example: s.path });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || compareCodePoints(a.kind, b.kind));
}
