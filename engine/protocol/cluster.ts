/**
 * The shapes of the Clustering view's methods and events (entries in contract.ts): data sources, the
 * algorithm settings of a run, the updates a run streams, and prototype edits. Kept in their own file
 * so the contract stays a table; like contract.ts it is importable by the renderer and by Node.
 */
import { arr, bool, count, f32, type Guard, i32, type Infer, literal, nullable, num, obj, optional, str, tagged, u8 } from './guard.js';

export const CLUSTER_ALGORITHMS = ['kmeans', 'fuzzy-art', 'art2a', 'som', 'rbf', 'moe'] as const;
export type ClusterAlgorithm = (typeof CLUSTER_ALGORITHMS)[number];
/** Algorithms that need a 2-D toy set (they draw decision regions over the plane). */
export const TOY_ONLY_ALGORITHMS: readonly ClusterAlgorithm[] = ['rbf', 'moe'];
export const CLUSTER_TOYS = ['blobs', 'moons', 'rings', 'spirals'] as const;
export const DECAY_KINDS = ['constant', 'linear', 'exponential', 'asymptotic', 'inverse-to-zero', 'linear-to-zero', 'inverse-to-one', 'linear-to-one'] as const;

/** Largest number of prototypes a run may have (k, lattice units, ART categories shown). */
export const MAX_PROTOTYPES = 1024;
/** Most ART trials listed in a step result (the rest are counted in `triedTotal`). */
export const MAX_TRIALS = 12;

const seed = optional(count(0xffffffff));
const runId = count();
const index = count(MAX_PROTOTYPES);

/** A number, or the string 'count' (k-means: 1/count per centroid). */
const rateOrCount: Guard<number | 'count'> = {
  check: (x, p) => (x === 'count' ? null : num({ min: 0, max: 1 }).check(x, p) ?? (x === 0 ? `${p ?? 'rate'}: must be > 0` : null)),
};

// ---------------------------------------------------------------------------------------------------
// Data sources

export const ClusterSourceSpec = tagged('kind', {
  /** The folder loaded in the engine (pixels / 255). */
  folder: obj({ kind: literal('folder'), subset: optional(literal('all', 'train', 'val')) }),
  /** A seeded 2-D toy set. */
  toy: obj({
    kind: literal('toy'),
    name: literal(...CLUSTER_TOYS),
    n: num({ int: true, min: 10, max: 20_000 }),
    noise: optional(num({ min: 0, max: 2 })),
    classes: optional(num({ int: true, min: 1, max: 12 })),
    seed,
  }),
});
export type ClusterSourceSpec = Infer<typeof ClusterSourceSpec>;

export const PlaneBounds = obj({ x0: num(), x1: num(), y0: num(), y1: num() });
export type PlaneBounds = Infer<typeof PlaneBounds>;


// ---------------------------------------------------------------------------------------------------
// Algorithm settings

const ScheduleSpec = obj({ kind: literal(...DECAY_KINDS), start: num({ min: 0, max: 1000 }), end: optional(num({ min: 0, max: 1000 })) });
export type ScheduleSpec = Infer<typeof ScheduleSpec>;

export const ClusterSpec = tagged('algorithm', {
  kmeans: obj({
    algorithm: literal('kmeans'),
    k: num({ int: true, min: 1, max: 256 }),
    /** Constant rate in (0, 1], or 'count' (running mean). */
    rate: rateOrCount,
    init: literal('random', 'kmeans++'),
    seed,
  }),
  'fuzzy-art': obj({
    algorithm: literal('fuzzy-art'),
    vigilance: num({ min: 0, max: 1 }),
    alpha: num({ min: 1e-9, max: 100 }),
    beta: num({ min: 1e-6, max: 1 }),
    maxCategories: optional(count(MAX_PROTOTYPES)),
    seed,
  }),
  art2a: obj({
    algorithm: literal('art2a'),
    vigilance: num({ min: 0, max: 1 }),
    beta: num({ min: 1e-6, max: 1 }),
    /** Contrast threshold theta as a fraction of its largest value 1/sqrt(dim). */
    theta: optional(num({ min: 0, max: 0.99 })),
    maxCategories: optional(count(MAX_PROTOTYPES)),
    seed,
  }),
  som: obj({
    algorithm: literal('som'),
    width: num({ int: true, min: 1, max: 32 }),
    height: num({ int: true, min: 1, max: 32 }),
    topology: literal('rectangular', 'hexagonal'),
    neighbourhood: literal('gaussian', 'bubble', 'mexican-hat'),
    init: literal('random', 'sample', 'pca'),
    rate: ScheduleSpec,
    radius: ScheduleSpec,
    /** Epochs the schedules are planned over (total = epochs x samples). */
    epochs: num({ int: true, min: 1, max: 1000 }),
    seed,
  }),
  rbf: obj({
    algorithm: literal('rbf'),
    units: num({ int: true, min: 1, max: 64 }),
    spreadRule: literal('rms', 'nearest'),
    spreadScale: num({ min: 0.01, max: 100 }),
    seed,
  }),
  moe: obj({
    algorithm: literal('moe'),
    experts: num({ int: true, min: 1, max: 12 }),
    mode: literal('cooperative', 'competitive'),
    rate: num({ min: 1e-6, max: 10 }),
    seed,
  }),
});
export type ClusterSpec = Infer<typeof ClusterSpec>;

/** One spec per algorithm. */
export const ClusterDefaults = obj({
  kmeans: ClusterSpec,
  'fuzzy-art': ClusterSpec,
  art2a: ClusterSpec,
  som: ClusterSpec,
  rbf: ClusterSpec,
  moe: ClusterSpec,
});
export type ClusterDefaults = Infer<typeof ClusterDefaults>;

export const ClusterSource = obj({
  sourceId: count(),
  name: str({ max: 1024 }),
  n: count(),
  dim: count(),
  /** Image size of a folder source (prototypes come back as images); null for a toy set. */
  image: nullable(obj({ width: count(), height: count(), channels: literal(1, 3) })),
  classes: arr(str({ max: 1024 }), { max: 10_000 }),
  /** True class per sample (-1: unlabeled). */
  labels: i32(),
  /** Plane coordinates of every sample, x and y interleaved (PCA for images, the raw coordinates for 2-D sets). */
  points: f32(),
  /** A square-ish window of the plane that holds every sample, with a margin. */
  bounds: PlaneBounds,
  /** The settings each algorithm starts with on this source (written once, in engine/session/cluster/defaults.ts). */
  defaults: ClusterDefaults,
  /** Runs the engine keeps on this source, oldest first (they stay until `cluster.dispose`). */
  runs: arr(runId, { max: 10_000 }),
});
export type ClusterSource = Infer<typeof ClusterSource>;

// ---------------------------------------------------------------------------------------------------
// What a run reports

export const ClusterFigures = obj({
  /** k-means: sum of squared distances to the nearest centroid. */
  inertia: optional(num({ min: 0 })),
  /** ART: categories made so far. */
  categories: optional(count()),
  /** ART: samples that no category takes at the current vigilance. */
  unassigned: optional(count()),
  vigilance: optional(num({ min: 0, max: 1 })),
  /** SOM: quantization error (mean distance to the BMU) and topographic error (share). */
  qe: optional(num({ min: 0 })),
  te: optional(num({ min: 0, max: 1 })),
  eta: optional(num()),
  sigma: optional(num()),
  /** Share of samples whose prototype's majority class is their own class (labelled samples only). */
  purity: optional(num({ min: 0, max: 1 })),
  /** RBF and MoE: training loss and accuracy on the toy set's classes. */
  loss: optional(num({ min: 0 })),
  accuracy: optional(num({ min: 0, max: 1 })),
  /** RBF: the hybrid stages done so far (0: none; 3: centres, spreads and weights). */
  stage: optional(count(3)),
  /** RBF: supervised fine-tuning epochs after the three stages. */
  epochs: optional(count()),
});
export type ClusterFigures = Infer<typeof ClusterFigures>;

export const ArtTrialInfo = obj({ index: count(), choice: num(), match: num(), passed: bool });

/** The last sample presented and what it did. */
export const ClusterLastStep = obj({
  sample: num({ int: true, min: -1 }),
  winner: num({ int: true, min: -1 }),
  created: bool,
  /** ART: categories tried in order (at most MAX_TRIALS), how many there were, the one that resonated. */
  tried: optional(arr(ArtTrialInfo, { max: MAX_TRIALS })),
  triedTotal: optional(count()),
  resonated: optional(num({ int: true, min: -1 })),
  skipped: optional(str({ max: 200 })),
});
export type ClusterLastStep = Infer<typeof ClusterLastStep>;

/** A coarse grid over the source's bounds (row-major, row 0 at y0): class, confidence and gating. */
export const ClusterGrid = obj({
  size: num({ int: true, min: 2, max: 256 }),
  /** Predicted class per cell. */
  cls: u8(),
  /** Confidence of that class, 0..255. */
  conf: u8(),
  /** MoE: the expert with the largest gate per cell, and that gate 0..255. */
  gate: optional(u8()),
  gateConf: optional(u8()),
});
export type ClusterGrid = Infer<typeof ClusterGrid>;

export const ClusterUpdate = obj({
  runId,
  /** Increases with every change of the assignment. */
  seq: count(),
  running: bool,
  steps: count(),
  epoch: count(),
  /** Edits that can be undone. */
  undo: count(),
  /** Prototype plane positions (x, y interleaved), frozen flags and member counts. */
  points: f32(2 * MAX_PROTOTYPES),
  frozen: u8(MAX_PROTOTYPES),
  sizes: i32(MAX_PROTOTYPES),
  /** The whole assignment (prototype per sample, -1: none) ... */
  labels: optional(i32()),
  /** ... or what changed since the message with seq `base`. */
  delta: optional(obj({ base: count(), samples: i32(), to: i32() })),
  figures: ClusterFigures,
  last: optional(ClusterLastStep),
  /** Prototypes as images (count x channels x height x width, planar), for image sources. */
  images: optional(u8()),
  /** SOM: U-matrix per unit (0..1). */
  umatrix: optional(f32(MAX_PROTOTYPES)),
  /** Fuzzy ART on 2-D sets: every category's box in the plane (x0, y0, x1, y1 per category). */
  boxes: optional(f32(4 * MAX_PROTOTYPES)),
  /** RBF: spread per unit in plane units. */
  spreads: optional(f32(MAX_PROTOTYPES)),
  grid: optional(ClusterGrid),
  /** Why training stopped, when it failed. */
  error: optional(str({ max: 2000 })),
});
export type ClusterUpdate = Infer<typeof ClusterUpdate>;

export const ClusterRun = obj({
  runId,
  sourceId: count(),
  spec: ClusterSpec,
  /** SOM lattice: its size and adjacent unit pairs (a, b interleaved) to draw over the data. */
  lattice: nullable(obj({ width: count(), height: count(), topology: literal('rectangular', 'hexagonal'), edges: i32() })),
  /** Whether prototypes can be added and removed (not on a SOM lattice, not MoE). */
  editable: bool,
  update: ClusterUpdate,
});
export type ClusterRun = Infer<typeof ClusterRun>;

// ---------------------------------------------------------------------------------------------------
// Edits

export const ClusterEdit = tagged('op', {
  /** Drag prototype `index` to the plane point (x, y); moves with the same `group` undo as one. */
  move: obj({ op: literal('move'), index, x: num(), y: num(), group: optional(count()) }),
  /** Put prototype `index` on sample `sample`. */
  set: obj({ op: literal('set'), index, sample: count() }),
  /** A new prototype on a sample, or at a plane point. */
  add: obj({ op: literal('add'), sample: optional(count()), x: optional(num()), y: optional(num()) }),
  remove: obj({ op: literal('remove'), index }),
  freeze: obj({ op: literal('freeze'), index, frozen: bool }),
  undo: obj({ op: literal('undo') }),
});
export type ClusterEdit = Infer<typeof ClusterEdit>;

export const ClusterEditResult = obj({
  /** The prototype the edit touched (add: the new one; undo: the one restored, -1 if several). */
  index: num({ int: true, min: -1 }),
  /** Samples whose prototype changed, with the prototype before (numbering before the edit) and after. */
  changed: obj({ samples: i32(), from: i32(), to: i32() }),
  update: ClusterUpdate,
});
export type ClusterEditResult = Infer<typeof ClusterEditResult>;

// Params of the methods (the table is in contract.ts).
export const ClusterCreateParams = obj({ sourceId: count(), spec: ClusterSpec });
export const ClusterStepParams = obj({ runId, samples: num({ int: true, min: 1, max: 1_000_000 }) });
export const ClusterRunParams = obj({
  runId,
  /** Samples per second (absent: as fast as the machine goes). */
  speed: optional(num({ min: 1, max: 1e7 })),
  /** Stop after this many samples (absent: until paused). */
  limit: optional(num({ int: true, min: 1, max: 1e9 })),
});
export const ClusterRunRef = obj({ runId });
export const ClusterResetParams = obj({ runId, spec: optional(ClusterSpec) });
export const ClusterEditParams = obj({ runId, edit: ClusterEdit });
export const ClusterVigilanceParams = obj({ runId, vigilance: num({ min: 0, max: 1 }) });
