/**
 * What every experiment driver shares: a variant's config (the base with the variant's change merged
 * in), the change in words, and the context a driver runs in (data, seed, progress, cancel, the run
 * registry that keeps each variant as a normal run).
 */
import type { ImageSet } from '../../data/folder.js';
import type { ExperimentFile } from '../../io/experiment.js';
import type { ExperimentPicture, ExperimentTrace, VariantResult } from '../../protocol/experiments.js';
import type { RunRegistry } from '../runs.js';

type Json = Record<string, unknown>;
export const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The base with a variant's change: objects merge key by key, anything else (arrays too) replaces. */
export function mergeConfig(base: Json, set: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(set)) out[k] = isObject(v) && isObject(out[k]) ? mergeConfig(out[k] as Json, v) : v;
  return out;
}

/** A change in words: "mlp.activation: sigmoid; optimizer.lr: 0.1" (layer lists and big values shortened). */
export function describeChange(set: Json, prefix = ''): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(set)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObject(v) && Object.keys(v).length) parts.push(describeChange(v, key));
    else if (Array.isArray(v)) parts.push(`${key}: ${v.length} items`);
    else parts.push(`${key}: ${JSON.stringify(v)}`);
  }
  return parts.join('; ') || 'the base';
}

/** The data an experiment runs on once loaded (images for classifiers and clustering; none for generated series and toy sets). */
export interface ExperimentData {
  /** In words, for the report. */
  description: string;
  set: ImageSet | null;
  /** Where the images came from (recorded in each variant's run config). */
  source: string;
}

export interface VariantContext {
  experiment: ExperimentFile;
  index: number;
  name: string;
  config: Json;
  data: ExperimentData;
  seed: number;
  /** Progress within this variant, 0 to 1, with a short message. */
  progress(fraction: number, message: string): void;
  /** Called by the driver with what stops its training; the runner calls it on cancel. */
  onCancel(stop: () => void): void;
  cancelled(): boolean;
  /** Keeps the variant as a normal run (null: not recorded). */
  registry: RunRegistry | null;
  /** The name the variant's run gets in the workspace. */
  runName: string;
}

export type DriverResult = Omit<VariantResult, 'name' | 'change' | 'seconds'>;
export type Driver = (ctx: VariantContext) => Promise<DriverResult>;

/** Up to n of each class's indices, in the order given (a smaller training set, seed images). */
export function firstPerClass(set: ImageSet, idx: Int32Array, n: number): Int32Array {
  const seen = new Map<number, number>();
  return idx.filter((i) => {
    const k = seen.get(set.labels[i]) ?? 0;
    seen.set(set.labels[i], k + 1);
    return k < n;
  });
}

/** Median of the finite values (null when there are none). */
export function median(xs: readonly number[]): number | null {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** A finite number, else null (results never carry NaN or infinities). */
export const finite = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

export type { ExperimentPicture, ExperimentTrace };
