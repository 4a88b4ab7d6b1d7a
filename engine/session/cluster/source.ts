/**
 * Data sources of a clustering run: images (pixels / 255: the folder loaded in the app, or one the
 * `locus cluster` command read) or a seeded 2-D toy set. A source is built once and shared by every run
 * on it: the samples, their true classes, and their projection on the plane (PCA for images, the raw
 * coordinates for 2-D sets), so runs side by side are drawn in the same frame. Which sources are kept,
 * and for how long, is the registry's business (registry.ts).
 */
import { CLUSTER_SEED } from './defaults.js';
import { Rng } from '../../core/rng.js';
import { selfOwnedZeros } from '../../kernels/resident.js';
import { normalizeInto, UNIT } from '../../data/normalize.js';
import { toySet } from '../../data/toy.js';
import { Pca } from '../../local/pca.js';
import type { ClusterSource, ClusterSourceSpec, PlaneBounds } from '../../protocol/cluster.js';
import type { ImageSet } from '../../data/folder.js';
import { LabError } from '../../protocol/contract.js';

export interface Source {
  readonly id: number;
  readonly key: string;
  /** What it was built from (the app's loaded folder; null for toy sets): a new load makes a new source. */
  readonly origin: object | null;
  readonly name: string;
  /** Samples, n x dim, row-major. */
  readonly x: Float32Array;
  readonly n: number;
  readonly dim: number;
  readonly labels: Int32Array;
  readonly classes: string[];
  readonly image: { width: number; height: number; channels: 1 | 3 } | null;
  readonly pca: Pca;
  readonly points: Float32Array;
  readonly bounds: PlaneBounds;
  /**
   * Samples mapped into [0, 1]^dim for the ART networks (the same array for image sources), the map
   * (unit = (x + offset) * scale), and their mean Euclidean length (ART-2A's unit-length categories
   * are drawn at this length).
   */
  readonly unit: { x: Float32Array; offset: Float32Array; scale: number; meanNorm: number };
  /** Runs using this source (sources without runs may be dropped). */
  runs: number;
}

let nextId = 1;

/** The key of a source spec: two specs with one key make the same source (of the same folder). */
export function sourceKey(spec: ClusterSourceSpec): string {
  if (spec.kind === 'folder') return `folder:${spec.subset ?? 'all'}`;
  return `toy:${spec.name}:${spec.n}:${spec.noise ?? '-'}:${spec.classes ?? '-'}:${spec.seed ?? CLUSTER_SEED}`;
}

/** What a renderer is told about a source (the projection is sent once, here). */
export function sourceInfo(s: Source): Omit<ClusterSource, 'defaults' | 'runs'> {
  return { sourceId: s.id, name: s.name, n: s.n, dim: s.dim, image: s.image, classes: s.classes, labels: s.labels, points: s.points, bounds: s.bounds };
}

/**
 * The images `indices` of an image set, as pixels / 255, on the plane of their first two principal
 * components; `plane: false` (a driver that draws nothing, like the command line) skips fitting it and
 * puts the samples on their first two values instead.
 */
export function imageSource(set: ImageSet, indices: Int32Array, name: string, key: string, origin: object | null, opts: { plane?: boolean } = {}): Source {
  const n = indices.length;
  if (n < 2) throw new LabError({ message: `${name} has ${n} image${n === 1 ? '' : 's'}: clustering needs at least 2`, code: 'invalid' });
  const per = set.channels * set.height * set.width;
  // In the kernel memory when the kernels run (the data budget allowing): Lloyd's passes read it in place.
  const x = selfOwnedZeros(n * per, 'data');
  for (let k = 0; k < n; k++) normalizeInto(set.pixels, indices[k], 1, set.channels, set.height * set.width, UNIT, x, k * per);
  const labels = Int32Array.from(indices, (i) => set.labels[i]);
  const pca = opts.plane === false ? axesPlane(per) : Pca.fit(x, n, per, new Rng(1));
  const image = { width: set.width, height: set.height, channels: set.channels === 3 ? (3 as const) : (1 as const) };
  return build(key, origin, name, x, n, per, labels, set.classes, image, pca, { x, offset: new Float32Array(per), scale: 1 });
}

/**
 * A seeded 2-D toy set. Its classes are called "class 1", "class 2", ... unless `className` names
 * them (the command line calls them "moons-0", "moons-1" in the model files it writes).
 */
export function toySource(spec: Extract<ClusterSourceSpec, { kind: 'toy' }>, className: (c: number) => string = (c) => `class ${c + 1}`): Source {
  const key = sourceKey(spec);
  const opts: { noise?: number; classes?: number } = {};
  if (spec.noise !== undefined) opts.noise = spec.noise;
  if (spec.classes !== undefined) opts.classes = spec.classes;
  const t = toySet(spec.name, spec.n, new Rng(spec.seed ?? CLUSTER_SEED), opts);
  const classes = Array.from({ length: Math.max(...t.labels) + 1 }, (_, c) => className(c));
  // 2-D data is drawn as it is: the "projection" is the identity.
  const pca = axesPlane(2);
  // Fuzzy ART needs [0, 1]: one scale for both axes keeps the geometry.
  let lo = Infinity;
  let hi = -Infinity;
  const min = [Infinity, Infinity];
  for (let i = 0; i < t.n; i++) {
    for (let c = 0; c < 2; c++) {
      const v = t.x[2 * i + c];
      if (v < min[c]) min[c] = v;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const span = Math.max(1e-6, hi - lo);
  const scale = 1 / span;
  const offset = Float32Array.from(min, (m) => -m);
  const ux = Float32Array.from(t.x, (v, i) => Math.min(1, Math.max(0, (v + offset[i % 2]) * scale)));
  const name = `${spec.name} (${spec.n} points)`;
  return build(key, null, name, t.x, t.n, 2, t.labels, classes, null, pca, { x: ux, offset, scale });
}

/** The "projection" on the first two coordinates (the identity for 2-D data). */
function axesPlane(dim: number): Pca {
  const components = new Float32Array(2 * dim);
  components[0] = 1;
  if (dim > 1) components[dim + 1] = 1;
  return Pca.fromState({ dim, mean: new Float32Array(dim), components, variances: [1, 1] });
}

function build(
  key: string,
  origin: object | null,
  name: string,
  x: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  classes: string[],
  image: Source['image'],
  pca: Pca,
  unit: Omit<Source['unit'], 'meanNorm'>,
): Source {
  const points = pca.projectAll(x, n);
  let norm = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < dim; t++) s += unit.x[i * dim + t] * unit.x[i * dim + t];
    norm += Math.sqrt(s);
  }
  return {
    id: nextId++,
    key,
    origin,
    name,
    x,
    n,
    dim,
    labels,
    classes,
    image,
    pca,
    points,
    bounds: squareBounds(points, n),
    unit: { ...unit, meanNorm: norm / n || 1 },
    runs: 0,
  };
}

/** The smallest square window around the points, with an 8% margin (equal scales keep circles round). */
export function squareBounds(points: Float32Array, n: number): PlaneBounds {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const px = points[2 * i];
    const py = points[2 * i + 1];
    if (px < x0) x0 = px;
    if (px > x1) x1 = px;
    if (py < y0) y0 = py;
    if (py > y1) y1 = py;
  }
  if (!(x1 >= x0)) return { x0: -1, x1: 1, y0: -1, y1: 1 };
  const half = (Math.max(x1 - x0, y1 - y0, 1e-6) / 2) * 1.08;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return { x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half };
}
