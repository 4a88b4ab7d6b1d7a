/** Settings a new clustering panel starts with, per algorithm and kind of source, and their names. */
import type { ClusterAlgorithm, ClusterSource, ClusterSpec } from '../../../../engine/protocol/cluster.js';

export const ALGORITHM_NAMES: Record<ClusterAlgorithm, string> = {
  kmeans: 'Online k-means',
  'fuzzy-art': 'Fuzzy ART',
  art2a: 'ART-2A',
  som: 'Self-organizing map',
  rbf: 'RBF network',
  moe: 'Mixture of experts',
};

export const ALGORITHM_BLURBS: Record<ClusterAlgorithm, string> = {
  kmeans: 'Each sample pulls its nearest centroid toward it.',
  'fuzzy-art': 'Categories are boxes; a sample that fits none at this vigilance makes a new one.',
  art2a: 'Categories are directions; vigilance is the least cosine similarity to join one.',
  som: 'A lattice of units unfolds over the data; neighbours learn together.',
  rbf: 'Gaussian units trained stage by stage: centres, spreads, then output weights.',
  moe: 'Linear experts, each trusted where the softmax gate says so.',
};

export function defaultSpec(algorithm: ClusterAlgorithm, source: ClusterSource | null): ClusterSpec {
  const images = source !== null && source.image !== null;
  const classes = Math.max(2, source?.classes.length ?? 3);
  switch (algorithm) {
    case 'kmeans':
      return { algorithm, k: Math.min(classes, 64), rate: 'count', init: 'kmeans++' };
    case 'fuzzy-art':
      return images ? { algorithm, vigilance: 0.45, alpha: 0.001, beta: 0.2 } : { algorithm, vigilance: 0.75, alpha: 0.001, beta: 1 };
    case 'art2a':
      return images ? { algorithm, vigilance: 0.6, beta: 0.1 } : { algorithm, vigilance: 0.98, beta: 0.2 };
    case 'som':
      return {
        algorithm,
        width: 8,
        height: 8,
        topology: images ? 'rectangular' : 'hexagonal',
        neighbourhood: 'gaussian',
        init: 'pca',
        rate: { kind: 'asymptotic', start: 0.5 },
        radius: { kind: 'asymptotic', start: 3 },
        epochs: 10,
      };
    case 'rbf':
      return { algorithm, units: 12, spreadRule: 'rms', spreadScale: 1 };
    case 'moe':
      return { algorithm, experts: 4, mode: 'competitive', rate: 0.5 };
  }
}

/** The algorithms of the panels when the view opens (1 to 3 of them). */
export const DEFAULT_PANELS: readonly ClusterAlgorithm[] = ['kmeans', 'art2a', 'som'];
