/**
 * The Clustering view's engine methods: sources, runs side by side, stepping, a training loop that
 * streams `cluster.update` a few times a second, prototype edits with undo, ART vigilance.
 * The loop trains in slices of about 25 ms and yields between them, so pause, edits and other runs
 * are served while it goes; updates come at most every 110 ms, less often when computing one (the
 * assignment pass, the figures) costs more than a quarter of the time.
 */
import type { ClusterSpec } from '../../protocol/cluster.js';
import { LabError } from '../../protocol/contract.js';
import type { Context, Handlers } from '../server.js';
import { Run } from './cluster-run.js';
import { getSource, openSource, sourceInfo } from './cluster-source.js';

const SLICE_MS = 25;
const MIN_UPDATE_MS = 110;
/**
 * Runs kept at once. A window that reloads cannot dispose its runs, so beyond this the least recently
 * used idle run is dropped (a renderer still holding it is told "no clustering run").
 */
export const MAX_RUNS = 12;

const runs = new Map<number, Run>();
let nextRun = 1;

function getRun(id: number): Run {
  const r = runs.get(id);
  if (!r) throw new LabError({ message: `no clustering run ${id} (it was closed; reset the panel to start a new one)`, code: 'invalid' });
  // Map order is the order of use: the first entries are the least recently used.
  runs.delete(id);
  runs.set(id, r);
  return r;
}

/** Engine errors from bad settings (thrown by engine/local with the reason) become 'invalid' replies. */
function asInvalid<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof LabError) throw e;
    throw new LabError({ message: e instanceof Error ? e.message : String(e), code: 'invalid' });
  }
}

export function createRun(sourceId: number, spec: ClusterSpec): Run {
  const source = getSource(sourceId);
  const run = asInvalid(() => new Run(nextRun, source, spec));
  nextRun++;
  for (const [id, r] of runs) {
    if (runs.size < MAX_RUNS) break;
    if (!r.running) disposeRun(id);
  }
  runs.set(run.id, run);
  source.runs++;
  return run;
}

function stop(run: Run): void {
  run.token++;
  run.running = false;
}

export function disposeRun(id: number): boolean {
  const run = runs.get(id);
  if (!run) return false;
  stop(run);
  runs.delete(id);
  run.source.runs--;
  return true;
}

const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Train until paused, disposed, or `limit` samples; emits updates at a UI-friendly rate. */
export async function trainLoop(run: Run, ctx: Context, speed?: number, limit?: number): Promise<void> {
  const token = ++run.token;
  run.running = true;
  run.error = null;
  const supervised = run.spec.algorithm === 'rbf' || run.spec.algorithm === 'moe';
  const t0 = performance.now();
  let done = 0;
  let lastEmit = t0;
  let interval = MIN_UPDATE_MS;
  try {
    while (run.token === token) {
      if (limit !== undefined && done >= limit) break;
      let allowed = limit === undefined ? Infinity : limit - done;
      if (speed !== undefined) allowed = Math.min(allowed, Math.floor((speed * (performance.now() - t0)) / 1000) - done);
      if (allowed > 0) {
        const sliceEnd = performance.now() + SLICE_MS;
        const batch = supervised ? 1 : 32;
        do {
          const c = Math.min(batch, allowed);
          run.train(c);
          done += c;
          allowed -= c;
        } while (allowed > 0 && performance.now() < sliceEnd);
      } else {
        await sleep(Math.min(40, Math.max(5, 1000 / (speed ?? 1000))));
        if (run.token !== token) return;
      }
      const now = performance.now();
      if (now - lastEmit >= interval) {
        ctx.emit('cluster.update', run.update());
        const cost = performance.now() - now;
        interval = Math.max(MIN_UPDATE_MS, 4 * cost);
        lastEmit = performance.now();
      }
      await yieldNow();
    }
  } catch (e) {
    run.error = e instanceof Error ? e.message : String(e);
  }
  // Stopped by pause or dispose: whoever stopped it answers. Finished or failed: say so.
  if (run.token !== token || !runs.has(run.id)) return;
  run.running = false;
  ctx.emit('cluster.update', run.update({ images: true }));
}

export const clusterHandlers = {
  'cluster.source': (p) => sourceInfo(openSource(p.source)),
  'cluster.create': (p) => createRun(p.sourceId, p.spec).info(),
  'cluster.step': (p) => {
    const run = getRun(p.runId);
    if (run.running) throw new LabError({ message: 'the run is training: pause it before stepping', code: 'invalid' });
    asInvalid(() => run.train(p.samples));
    return run.update({ images: true });
  },
  'cluster.run': (p, ctx) => {
    const run = getRun(p.runId);
    if (run.running) return { running: true };
    void trainLoop(run, ctx, p.speed, p.limit);
    return { running: true };
  },
  'cluster.pause': (p) => {
    const run = getRun(p.runId);
    stop(run);
    return run.update({ images: true });
  },
  'cluster.reset': (p) => {
    const run = getRun(p.runId);
    stop(run);
    asInvalid(() => run.reset(p.spec));
    return run.info();
  },
  'cluster.snapshot': (p) => getRun(p.runId).info(),
  'cluster.edit': (p) => {
    const run = getRun(p.runId);
    return asInvalid(() => run.edit(p.edit));
  },
  'cluster.vigilance': (p) => {
    const run = getRun(p.runId);
    asInvalid(() => run.setVigilance(p.vigilance));
    return run.update();
  },
  'cluster.dispose': (p) => ({ disposed: disposeRun(p.runId) }),
} satisfies Partial<Handlers>;
