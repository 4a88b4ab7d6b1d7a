/**
 * The Clustering view's engine methods, translated into calls on the engine's clustering runs
 * (engine/session/cluster): sources, runs kept by source, stepping, the training loop (its updates go
 * out as `cluster.update` events), prototype edits with undo, ART vigilance.
 */
import { ClusterRegistry, type FolderInput } from '../../session/cluster/registry.js';
import type { Handlers } from '../server.js';
import { workspace } from '../workspace.js';

/** The engine's clustering runs and sources. */
/** The engine's clustering runs; each is listed in the run registry too (engine/session/runs.ts). */
export const clusters = new ClusterRegistry({ record: () => workspace.runs });

/** The folder loaded now, as a clustering source is made from it (null: none). */
export function loadedFolder(): FolderInput | null {
  const data = workspace.data;
  if (!data) return null;
  return { origin: data, set: data.result.set, name: data.summary.name, indices: (subset) => workspace.indices(subset, undefined) };
}

export const clusterHandlers = {
  'cluster.source': (p) => clusters.describe(clusters.openSource(p.source, loadedFolder())),
  'cluster.create': (p) => clusters.create(p.sourceId, p.spec).info(),
  'cluster.step': (p) => clusters.step(clusters.get(p.runId), p.samples),
  'cluster.run': (p, ctx) => {
    const run = clusters.get(p.runId);
    if (run.running) return { running: true };
    void clusters.train(run, (u) => ctx.emit('cluster.update', u), p.speed, p.limit);
    return { running: true };
  },
  'cluster.pause': (p) => {
    const run = clusters.get(p.runId);
    clusters.stop(run);
    return run.update({ images: true });
  },
  'cluster.reset': (p) => {
    const run = clusters.get(p.runId);
    clusters.reset(run, p.spec);
    return run.info();
  },
  'cluster.snapshot': (p) => clusters.get(p.runId).info(),
  'cluster.edit': (p) => clusters.edit(clusters.get(p.runId), p.edit),
  'cluster.vigilance': (p) => clusters.setVigilance(clusters.get(p.runId), p.vigilance),
  'cluster.dispose': (p) => ({ disposed: clusters.dispose(p.runId) }),
} satisfies Partial<Handlers>;
