/**
 * Seeded 2-D toy sets for clustering, the 2-D GAN and decision-boundary plots. Points are interleaved
 * by class (point i has label i % classes), so any prefix is balanced. Coordinates stay roughly within
 * [-1.5, 1.5] for the default noise.
 *  - blobs:   `classes` Gaussian clusters (default 3) centred evenly on a circle of radius 1, std `noise` (0.15).
 *  - moons:   two interleaved half circles (scikit-learn's make_moons), centred; Gaussian noise (0.08).
 *  - rings:   concentric circles of radius (k+1)/classes * 1.2 (default 2 rings); radial noise (0.05).
 *  - spirals: `classes` arms (default 2) winding 1.25 turns from the centre; angular noise (0.15).
 */
import type { Rng } from '../core/rng.js';

export type ToyName = 'blobs' | 'moons' | 'rings' | 'spirals';

export const TOY_NAMES: readonly ToyName[] = ['blobs', 'moons', 'rings', 'spirals'];

export interface ToyOptions {
  /** Number of classes (ignored by moons, which has 2). */
  classes?: number;
  /** Noise scale (meaning per set above); 0 gives points exactly on the underlying shapes. */
  noise?: number;
}

export interface ToySet {
  /** Row-major points, x[2i] and x[2i+1]. */
  x: Float32Array;
  labels: Int32Array;
  n: number;
  dim: 2;
}

const DEFAULT_NOISE: Record<ToyName, number> = { blobs: 0.15, moons: 0.08, rings: 0.05, spirals: 0.15 };
const DEFAULT_CLASSES: Record<ToyName, number> = { blobs: 3, moons: 2, rings: 2, spirals: 2 };

export function toySet(name: ToyName, n: number, rng: Rng, opts: ToyOptions = {}): ToySet {
  if (!TOY_NAMES.includes(name)) throw new RangeError(`toySet: unknown set '${String(name)}' (use ${TOY_NAMES.join(', ')})`);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`toySet: n must be a non-negative integer, got ${n}`);
  const k = name === 'moons' ? 2 : (opts.classes ?? DEFAULT_CLASSES[name]);
  if (!Number.isInteger(k) || k < 1 || k > 64) throw new RangeError(`toySet: classes must be an integer from 1 to 64, got ${k}`);
  const noise = opts.noise ?? DEFAULT_NOISE[name];
  if (!(noise >= 0) || !Number.isFinite(noise)) throw new RangeError(`toySet: noise must be >= 0, got ${noise}`);

  const x = new Float32Array(2 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    labels[i] = c;
    let px: number;
    let py: number;
    if (name === 'blobs') {
      const a = (2 * Math.PI * c) / k + Math.PI / 2;
      px = Math.cos(a) + noise * rng.normal();
      py = Math.sin(a) + noise * rng.normal();
    } else if (name === 'moons') {
      const t = Math.PI * rng.next();
      // make_moons: outer (cos t, sin t), inner (1 - cos t, 0.5 - sin t); shifted to centre (0.5, 0.25)
      px = (c === 0 ? Math.cos(t) : 1 - Math.cos(t)) - 0.5 + noise * rng.normal();
      py = (c === 0 ? Math.sin(t) : 0.5 - Math.sin(t)) - 0.25 + noise * rng.normal();
    } else if (name === 'rings') {
      const a = 2 * Math.PI * rng.next();
      const r = (1.2 * (c + 1)) / k + noise * rng.normal();
      px = r * Math.cos(a);
      py = r * Math.sin(a);
    } else {
      const t = rng.next(); // 0 at the centre, 1 at the tip
      const a = (2 * Math.PI * c) / k + 2.5 * Math.PI * t + noise * rng.normal();
      const r = 1.2 * t;
      px = r * Math.cos(a);
      py = r * Math.sin(a);
    }
    x[2 * i] = px;
    x[2 * i + 1] = py;
  }
  return { x, labels, n, dim: 2 };
}
