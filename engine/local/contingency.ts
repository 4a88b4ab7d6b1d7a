/**
 * How clusters line up with known classes: the cluster-by-class table and purity, the share of samples
 * that belong to the majority class of their cluster (Manning et al., Introduction to IR, 16.3).
 * Samples no cluster took (label -1, e.g. ART below vigilance) count against purity; unlabelled samples
 * (class -1) are left out.
 */
export interface Contingency {
  /** clusters x classes counts, row-major. */
  table: number[][];
  /** Samples with a known class (the purity denominator). */
  labelled: number;
  /** Labelled samples that no cluster took. */
  unassigned: number;
  /** Majority class of each cluster (-1 for a cluster without labelled samples). */
  majority: number[];
  purity: number;
}

export function contingency(clusters: Int32Array, classes: Int32Array, k: number, c: number): Contingency {
  if (clusters.length !== classes.length) throw new Error(`contingency: ${clusters.length} cluster labels for ${classes.length} classes`);
  const table = Array.from({ length: k }, () => new Array<number>(c).fill(0));
  let labelled = 0;
  let unassigned = 0;
  for (let i = 0; i < clusters.length; i++) {
    const y = classes[i];
    if (y < 0) continue;
    if (y >= c) throw new Error(`contingency: class ${y} of sample ${i} is not below ${c}`);
    labelled++;
    const j = clusters[i];
    if (j < 0) unassigned++;
    else if (j >= k) throw new Error(`contingency: cluster ${j} of sample ${i} is not below ${k}`);
    else table[j][y]++;
  }
  let agree = 0;
  const majority = table.map((row) => {
    let b = -1;
    for (let y = 0; y < c; y++) if (row[y] > 0 && (b < 0 || row[y] > row[b])) b = y;
    if (b >= 0) agree += row[b];
    return b;
  });
  return { table, labelled, unassigned, majority, purity: labelled ? agree / labelled : 0 };
}
