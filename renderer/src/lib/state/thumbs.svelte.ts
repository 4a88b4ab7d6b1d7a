/**
 * Thumbnails of the loaded images for the virtualized grid: fetched from the engine a page at a time,
 * only for the rows on screen (plus a margin), kept within a memory budget, farthest pages dropped
 * first. One source per (load, subset, class filter); the grid makes a new one when those change.
 */
import type { DataSummary, LabApi, Thumbnails } from '../../../../engine/protocol/contract.js';

export type Subset = 'all' | 'train' | 'val';
export const PAGE = 160;
const BUDGET_BYTES = 48 * 1024 * 1024;

/** How many images a filter selects, from the summary alone. */
export function filteredTotal(s: DataSummary, subset: Subset, classIndex: number | undefined): number {
  const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
  if (subset === 'all') return classIndex === undefined ? s.n : classIndex < 0 ? s.unlabeled : (s.counts[classIndex] ?? 0);
  const side = subset === 'train' ? s.split.trainCounts : s.split.valCounts;
  const size = subset === 'train' ? s.split.train : s.split.val;
  if (classIndex === undefined) return size;
  return classIndex < 0 ? size - sum(side) : (side[classIndex] ?? 0);
}

export interface ThumbRef {
  page: Thumbnails;
  /** Position of the image in the page. */
  k: number;
}

export class ThumbSource {
  readonly total: number;
  readonly subset: Subset;
  readonly classIndex: number | undefined;
  #api: LabApi;
  #pages = new Map<number, Thumbnails>();
  #inflight = new Set<number>();
  #version = $state(0);
  #error = $state<string | null>(null);
  #closed = false;

  constructor(api: LabApi, summary: DataSummary, subset: Subset, classIndex: number | undefined) {
    this.#api = api;
    this.subset = subset;
    this.classIndex = classIndex;
    this.total = filteredTotal(summary, subset, classIndex);
  }

  get error(): string | null {
    return this.#error;
  }

  /** Make sure the images first..last (inclusive) are fetched or on their way. */
  ensure(first: number, last: number): void {
    if (this.#closed || this.total === 0) return;
    const lo = Math.max(0, Math.floor(first / PAGE));
    const hi = Math.min(Math.floor((this.total - 1) / PAGE), Math.floor(Math.max(first, last) / PAGE));
    for (let p = lo; p <= hi; p++) {
      if (this.#pages.has(p) || this.#inflight.has(p)) continue;
      this.#inflight.add(p);
      const params = { offset: p * PAGE, count: PAGE, subset: this.subset, ...(this.classIndex === undefined ? {} : { classIndex: this.classIndex }) };
      this.#api.call('data.thumbnails', params).then(
        (page) => {
          this.#inflight.delete(p);
          if (this.#closed) return;
          this.#pages.set(p, page);
          this.#evict((lo + hi) / 2);
          this.#version++;
        },
        (e: Error) => {
          this.#inflight.delete(p);
          if (!this.#closed) this.#error = e.message;
        },
      );
    }
  }

  /** The image at a position of the filtered list, or null until its page arrives. Reactive. */
  get(i: number): ThumbRef | null {
    void this.#version;
    const page = this.#pages.get(Math.floor(i / PAGE));
    if (!page) return null;
    const k = i - page.offset;
    return k >= 0 && k < page.labels.length ? { page, k } : null;
  }

  close(): void {
    this.#closed = true;
    this.#pages.clear();
  }

  #evict(centre: number): void {
    let bytes = 0;
    for (const pg of this.#pages.values()) bytes += pg.pixels.byteLength;
    if (bytes <= BUDGET_BYTES) return;
    const order = [...this.#pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const key of order) {
      if (bytes <= BUDGET_BYTES) break;
      bytes -= this.#pages.get(key)?.pixels.byteLength ?? 0;
      this.#pages.delete(key);
    }
  }
}

/** Draw one image of a page (planar uint8, 1 or 3 channels) on a canvas of the image's own size. */
export function paint(canvas: HTMLCanvasElement, ref: ThumbRef): void {
  const { page, k } = ref;
  const { width: w, height: h, channels: c } = page;
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(w, h);
  const px = page.pixels;
  const plane = w * h;
  const base = k * c * plane;
  const out = img.data;
  for (let i = 0, o = 0; i < plane; i++, o += 4) {
    if (c === 1) {
      const v = px[base + i];
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
    } else {
      out[o] = px[base + i];
      out[o + 1] = px[base + plane + i];
      out[o + 2] = px[base + 2 * plane + i];
    }
    out[o + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
