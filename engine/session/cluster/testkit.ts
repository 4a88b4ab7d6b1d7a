/** What the clustering tests share: toy sources, a fresh assignment pass, a renderer's copy of the labels. */
import assert from 'node:assert/strict';
import { Assignment } from '../../local/assignment.js';
import type { ClusterUpdate } from '../../protocol/cluster.js';
import { METHODS } from '../../protocol/contract.js';
import type { ClusterRegistry } from './registry.js';
import type { Run } from './run.js';
import type { Source } from './source.js';

export function toySourceOf(registry: ClusterRegistry, n = 240, name: 'blobs' | 'moons' = 'blobs'): Source {
  return registry.openSource({ kind: 'toy', name, n, seed: 3 }, null);
}

/** The assignment a fresh nearest-prototype pass gives for the run's model as it is now. */
export function fresh(run: Run): Int32Array {
  const m = run.learner.model;
  assert.ok(m);
  return new Assignment(m.scorer(run.learner.data, run.source.n)).labels;
}

/** A renderer's copy of the assignment, kept only from what the engine sends. */
export class Mirror {
  labels = new Int32Array(0);
  seq = -1;
  apply(u: ClusterUpdate): void {
    assert.equal(METHODS['cluster.step'].result.check(u), null, 'every update follows the contract');
    if (u.labels) {
      this.labels = Int32Array.from(u.labels);
      this.seq = u.seq;
    } else if (u.delta) {
      assert.equal(u.delta.base, this.seq, 'a delta applies to the labels sent just before');
      for (let t = 0; t < u.delta.samples.length; t++) this.labels[u.delta.samples[t]] = u.delta.to[t];
      this.seq = u.seq;
    } else assert.equal(u.seq, this.seq, 'no labels: nothing changed');
  }
}
