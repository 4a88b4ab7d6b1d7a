/**
 * Seeded train/validation split. With labels it is stratified: every class (and the unlabeled group,
 * label -1) gives the same share to validation, so rare classes are not left out by chance.
 * The validation size is round(n * valFraction) overall; per group it is that share, with the rounding
 * remainders given to the groups with the largest fractional parts (ties: lower label first).
 * Both index lists come back shuffled by the Rng; the same seed gives the same split.
 */
import type { Rng } from '../core/rng.js';

export function splitIndices(
  n: number,
  valFraction: number,
  rng: Rng,
  labels?: Int32Array,
): { train: Int32Array; val: Int32Array } {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`splitIndices: n must be a non-negative integer, got ${n}`);
  if (!(valFraction >= 0 && valFraction <= 1)) throw new RangeError(`splitIndices: valFraction must be in [0, 1], got ${valFraction}`);
  if (labels && labels.length !== n) throw new RangeError(`splitIndices: ${labels.length} labels for ${n} items`);

  // groups by label, in ascending label order
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const l = labels ? labels[i] : 0;
    let g = groups.get(l);
    if (!g) groups.set(l, (g = []));
    g.push(i);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const nVal = Math.round(n * valFraction);
  const quota = new Map<number, number>();
  let given = 0;
  const rema: { key: number; frac: number }[] = [];
  for (const k of keys) {
    const exact = groups.get(k)!.length * valFraction;
    const q = Math.floor(exact);
    quota.set(k, q);
    given += q;
    rema.push({ key: k, frac: exact - q });
  }
  rema.sort((a, b) => b.frac - a.frac || a.key - b.key);
  for (let j = 0; given < nVal && j < rema.length; j++, given++) quota.set(rema[j].key, quota.get(rema[j].key)! + 1);

  const train = new Int32Array(n - nVal);
  const val = new Int32Array(nVal);
  let t = 0;
  let v = 0;
  for (const k of keys) {
    const g = rng.shuffle(groups.get(k)!);
    const q = quota.get(k)!;
    for (let j = 0; j < g.length; j++) {
      if (j < q) val[v++] = g[j];
      else train[t++] = g[j];
    }
  }
  rng.shuffle(train);
  rng.shuffle(val);
  return { train, val };
}
