/**
 * The settings a clustering run starts with when the user says nothing, written once. The worker sends
 * them to the app with every source (`ClusterSource.defaults`: the Clustering view's panels start from
 * them) and `locus cluster` fills its options from them, so the app and the command line agree.
 * They depend on the kind of data: image folders (hundreds of dimensions, values in [0, 1]) want other
 * ART settings than 2-D toy sets.
 */
import type { ClusterAlgorithm, ClusterSpec, ScheduleSpec } from '../../protocol/cluster.js';

/** The seed of every run that names none. */
export const CLUSTER_SEED = 1;

/** Passes over the data `locus cluster` makes when not told (k-means, ART; a SOM plans its own). */
export const CLUSTER_EPOCHS = 5;

/** SOM lattice and schedules: the rate falls linearly to 0.01, the radius exponentially to half a unit. */
export const SOM_DEFAULTS = Object.freeze({
  width: 8,
  height: 8,
  neighbourhood: 'gaussian' as const,
  init: 'pca' as const,
  /** Epochs the schedules are planned over. */
  epochs: 10,
  rate: Object.freeze({ kind: 'linear', start: 0.5, end: 0.01 }) as Readonly<ScheduleSpec>,
  /** The radius starts at half the lattice's longer side (at least 1). */
  radiusEnd: 0.5,
});

/** A SOM's radius schedule for a lattice of width x height. */
export function somRadius(width: number, height: number): ScheduleSpec {
  return { kind: 'exponential', start: Math.max(1, Math.max(width, height) / 2), end: SOM_DEFAULTS.radiusEnd };
}

/** What the defaults depend on: whether the samples are images, and how many classes they have. */
export interface DefaultsFor {
  readonly image: unknown;
  readonly classes: readonly string[];
}

/** The settings of one algorithm on a source. */
export function defaultSpec(algorithm: ClusterAlgorithm, source: DefaultsFor): ClusterSpec {
  const images = source.image !== null && source.image !== undefined;
  const classes = Math.max(2, source.classes.length);
  switch (algorithm) {
    case 'kmeans':
      // One cluster per class, so purity can reach 100%.
      return { algorithm, k: Math.min(classes, 64), rate: 'count', init: 'kmeans++' };
    case 'fuzzy-art':
      // Raw pixels need a low vigilance and a slow rate (else hundreds of categories).
      return images ? { algorithm, vigilance: 0.45, alpha: 0.001, beta: 0.2 } : { algorithm, vigilance: 0.75, alpha: 0.001, beta: 1 };
    case 'art2a':
      return images ? { algorithm, vigilance: 0.6, beta: 0.1 } : { algorithm, vigilance: 0.98, beta: 0.2 };
    case 'som': {
      const { width, height, neighbourhood, init, epochs } = SOM_DEFAULTS;
      return {
        algorithm,
        width,
        height,
        topology: images ? 'rectangular' : 'hexagonal',
        neighbourhood,
        init,
        rate: { ...SOM_DEFAULTS.rate },
        radius: somRadius(width, height),
        epochs,
      };
    }
    case 'rbf':
      return { algorithm, units: 12, spreadRule: 'rms', spreadScale: 1 };
    case 'moe':
      return { algorithm, experts: 4, mode: 'competitive', rate: 0.5 };
  }
}

/** The settings of every algorithm on a source (RBF and MoE included: they refuse image sources themselves). */
export function clusterDefaults(source: DefaultsFor): Record<ClusterAlgorithm, ClusterSpec> {
  return {
    kmeans: defaultSpec('kmeans', source),
    'fuzzy-art': defaultSpec('fuzzy-art', source),
    art2a: defaultSpec('art2a', source),
    som: defaultSpec('som', source),
    rbf: defaultSpec('rbf', source),
    moe: defaultSpec('moe', source),
  };
}
