/**
 * Bounds a model file's numbers and free-form parts must keep, shared by every kind and checked the
 * same way on import and on export (checkModelFile runs on both), so nothing Locus writes is refused
 * when it is read back and nothing it reads makes NaN out of finite inputs.
 */
import type { Normalization } from '../data/normalize.js';
import { ModelFileError } from './errors.js';
import { LIMITS } from './limits.js';

/**
 * Normalization that stays finite in float32: every std in [minStd, maxWeight], every mean within
 * ±maxWeight, one value of each per channel (when the channel count is known).
 */
export function checkNormalization(n: Normalization, channels: number | undefined, what = 'normalization'): void {
  if (n.kind !== 'standard') return;
  if (channels !== undefined && (n.mean.length !== channels || n.std.length !== channels)) {
    throw new ModelFileError(`${what}: mean and std need one value per channel (${channels}), got ${n.mean.length} and ${n.std.length}`);
  }
  n.std.forEach((s, c) => {
    if (!(s >= LIMITS.minStd && s <= LIMITS.maxWeight)) {
      throw new ModelFileError(`${what}: std of channel ${c} is ${s}; it must be between ${LIMITS.minStd} and ${LIMITS.maxWeight} (a smaller one divides pixels into overflow)`);
    }
  });
  n.mean.forEach((m, c) => {
    if (!(Math.abs(m) <= LIMITS.maxWeight)) throw new ModelFileError(`${what}: mean of channel ${c} is ${m}; it must be within ±${LIMITS.maxWeight}`);
  });
}

/**
 * A free-form part (training settings, layer options): at most `maxValues` JSON values and `maxChars`
 * characters of keys and strings, so a file cannot hide megabytes where nothing else bounds them.
 */
export function checkFreeForm(value: unknown, what: string, maxValues: number = LIMITS.maxSettingsValues, maxChars: number = LIMITS.maxSettingsChars): void {
  let values = 0;
  let chars = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (++values > maxValues) throw new ModelFileError(`${what}: more than ${maxValues} values`);
    if (typeof v === 'string') chars += v.length;
    else if (v !== null && typeof v === 'object') {
      if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      else
        for (const [k, x] of Object.entries(v)) {
          chars += k.length;
          stack.push(x);
        }
    }
    if (chars > maxChars) throw new ModelFileError(`${what}: more than ${maxChars} characters of names and text`);
  }
}

/** A training record's free-form parts: settings bounded, history within the epoch limit. */
export function checkTrainingRecord(t: { settings: unknown; history: readonly unknown[] }, what = 'training'): void {
  checkFreeForm(t.settings, `${what}.settings`);
  if (t.history.length > LIMITS.maxEpochs) throw new ModelFileError(`${what} history has more than ${LIMITS.maxEpochs} epochs`);
}

/** A short, quoted form of any value for an error message (a file's field can be megabytes long). */
export function brief(v: unknown, max = 60): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v.length > max ? v.slice(0, max) : v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  if (typeof v === 'string' && v.length > max) return `${s.slice(0, -1)}…" (${v.length} characters)`;
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
