/** experiments.*: the experiments of engine/session/experiments as the contract's methods. */
import type { Handlers } from '../server.js';
import { workspace } from '../workspace.js';

export const experimentsHandlers = {
  'experiments.list': () => ({ experiments: workspace.experiments.list() }),
  'experiments.start': async (p, ctx) => {
    await workspace.runs.load();
    const d = workspace.data;
    const folder = d ? { set: d.result.set, description: `the open folder ${d.summary.name}` } : null;
    const { runner, info } = workspace.experiments.start({ ...p, folder, emit: (event, payload) => ctx.emit(event, payload as never) });
    void runner.done;
    return { runId: p.runId, variants: info.variants.length, info };
  },
  'experiments.cancel': (p) => ({ cancelled: workspace.experiments.cancel(p.runId) }),
  'experiments.results': (p) => ({ results: workspace.experiments.results(p.runId) }),
  'experiments.export': (p) => workspace.experiments.export(p.runId, p.format, p.path, p.overwrite ?? false),
  'experiments.fromRuns': async (p) => {
    await workspace.runs.load();
    const runs = p.runIds.map((id) => workspace.runs.get(id).summary);
    return workspace.experiments.fromRuns(runs, p.title, p.path, p.overwrite ?? false);
  },
  'experiments.open': (p) => workspace.experiments.open(p.path),
} satisfies Partial<Handlers>;
