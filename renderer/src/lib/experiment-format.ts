/**
 * How the Experiments view writes and arranges an experiment's figures: names in words, numbers as a
 * person compares them (shares as percentages, tiny gradient norms in exponent form), which history
 * figures can be charted, the shared y range of per-layer traces, the pictures' pixels. Pure functions
 * (no DOM, no Svelte), unit-tested under Node.
 */
import { type ExperimentPicture, type ExperimentTrace, type VariantResult, figureName, formatFigure, isShare } from '../../../engine/protocol/experiments.js';

// Names, shares and number forms are the engine's (the report and the command line write them the same way).
export { figureName, formatFigure, isShare };

/** Seconds as a person reads a duration ("0.4 s", "12 s", "2 min 5 s"). */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '–';
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/**
 * The history figures the variants can be compared on, in the order to offer them: the experiment's
 * chosen curves, then the figures its table compares, then any other figure a variant recorded.
 * Only figures with a number in some variant's history are offered; 'epoch' is the x axis.
 */
export function historyMetrics(variants: readonly Pick<VariantResult, 'history'>[], preferred: readonly string[] = []): string[] {
  const seen = new Set<string>();
  for (const v of variants) for (const row of v.history) for (const [k, x] of Object.entries(row)) if (k !== 'epoch' && typeof x === 'number' && Number.isFinite(x)) seen.add(k);
  const out: string[] = [];
  for (const k of [...preferred, ...seen]) if (seen.has(k) && !out.includes(k)) out.push(k);
  return out;
}

/** A variant's curve of one history figure: x the epoch (or the row's place), y the figure; gaps left out. */
export function historyPoints(v: Pick<VariantResult, 'history'>, key: string): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  v.history.forEach((row, i) => {
    const y = row[key];
    if (typeof y === 'number' && Number.isFinite(y)) out.push({ x: typeof row.epoch === 'number' ? row.epoch : i + 1, y });
  });
  return out;
}

/** The trace keys the variants have, each with its label, in first-seen order. */
export function traceKinds(variants: readonly Pick<VariantResult, 'traces'>[]): { key: string; label: string }[] {
  const out: { key: string; label: string }[] = [];
  for (const v of variants) for (const t of v.traces) if (!out.some((o) => o.key === t.key)) out.push({ key: t.key, label: t.label });
  return out;
}

/** One row of a trace as chart points (missing values, and values a log scale cannot draw, left out). */
export function tracePoints(t: ExperimentTrace, row: number): { x: number; y: number }[] {
  const ys = t.y[row] ?? [];
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < t.x.length; i++) {
    const y = ys[i];
    if (typeof y === 'number' && Number.isFinite(y) && (!t.log || y > 0)) out.push({ x: t.x[i], y });
  }
  return out;
}

/**
 * The y range shared by the small multiples of one trace (so the variants are read on the same axes):
 * the smallest and largest value over every variant's rows; on a log scale only positive values count.
 * Null when there is nothing to draw.
 */
export function sharedRange(traces: readonly ExperimentTrace[]): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const t of traces) {
    for (let r = 0; r < t.y.length; r++) {
      for (const p of tracePoints(t, r)) {
        if (p.y < min) min = p.y;
        if (p.y > max) max = p.y;
      }
    }
  }
  if (!Number.isFinite(min)) return null;
  const log = traces.some((t) => t.log);
  if (log) return { min: niceBelow(min === max ? min / 2 : min), max: niceAbove(min === max ? max * 2 : max) };
  if (min === max) return { min: min - 1, max: max + 1 };
  return { min, max };
}

const STEPS = [1, 2, 5, 10];
/** The largest 1, 2 or 5 times a power of ten at or below x > 0 (a log axis then starts on a labelled tick). */
export function niceBelow(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const m = x / p;
  const s = [...STEPS].reverse().find((k) => k <= m * (1 + 1e-9)) ?? 1;
  return Number((s * p).toPrecision(6));
}
/** The smallest 1, 2 or 5 times a power of ten at or above x > 0. */
export function niceAbove(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const m = x / p;
  const s = STEPS.find((k) => k >= m * (1 - 1e-9)) ?? 10;
  return Number((s * p).toPrecision(6));
}

/** A layout for a picture's images: columns and rows close to square. */
export function gridShape(count: number): { cols: number; rows: number } {
  const cols = Math.max(1, Math.ceil(Math.sqrt(count)));
  return { cols, rows: Math.max(1, Math.ceil(count / cols)) };
}

/**
 * A picture's images (planar floats in [0, 1], one after another) as RGBA bytes of one grid image,
 * 1 px gaps between the images. Grey images are drawn grey, 3-channel ones in colour; values outside
 * [0, 1] are clipped.
 */
export function pictureRgba(p: Pick<ExperimentPicture, 'count' | 'channels' | 'height' | 'width' | 'data'>): { width: number; height: number; rgba: Uint8ClampedArray<ArrayBuffer> } {
  const { count, channels: c, height: h, width: w, data } = p;
  const { cols, rows } = gridShape(count);
  const W = cols * (w + 1) - 1;
  const H = rows * (h + 1) - 1;
  const rgba = new Uint8ClampedArray(Math.max(0, W * H * 4));
  const plane = w * h;
  const byte = (v: number) => (Number.isFinite(v) ? Math.round(Math.min(1, Math.max(0, v)) * 255) : 0);
  for (let k = 0; k < count; k++) {
    const ox = (k % cols) * (w + 1);
    const oy = Math.floor(k / cols) * (h + 1);
    const base = k * c * plane;
    if (base + c * plane > data.length) break;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const o = ((oy + y) * W + ox + x) * 4;
        const r = byte(data[base + i]);
        rgba[o] = r;
        rgba[o + 1] = c >= 3 ? byte(data[base + plane + i]) : r;
        rgba[o + 2] = c >= 3 ? byte(data[base + 2 * plane + i]) : r;
        rgba[o + 3] = 255;
      }
    }
  }
  return { width: W, height: H, rgba };
}

/** A safe file name from an experiment's id and what is saved ("optimizers-report.html"). */
export function exportName(id: string, format: 'html' | 'json'): string {
  const base = id.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'experiment';
  return format === 'html' ? `${base}-report.html` : `${base}-results.json`;
}
