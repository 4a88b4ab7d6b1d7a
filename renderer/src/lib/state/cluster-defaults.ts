/**
 * The algorithms' names and blurbs, and the panels the view opens with. The settings a run starts with
 * come from the engine with each source (`ClusterSource.defaults`, written once in
 * engine/session/cluster/defaults.ts).
 */
import type { ClusterAlgorithm } from '../../../../engine/protocol/cluster.js';

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

/** What one prototype of an algorithm is called: a SOM's unit, an ART category, an RBF centre. */
export function prototypeNoun(algorithm: ClusterAlgorithm): string {
  if (algorithm === 'som') return 'unit';
  if (algorithm === 'fuzzy-art' || algorithm === 'art2a') return 'category';
  if (algorithm === 'rbf') return 'centre';
  if (algorithm === 'moe') return 'expert';
  return 'prototype';
}

/** The algorithms of the panels when the view opens (1 to 3 of them). */
export const DEFAULT_PANELS: readonly ClusterAlgorithm[] = ['kmeans', 'art2a', 'som'];
