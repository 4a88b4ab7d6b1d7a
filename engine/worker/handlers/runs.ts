/** runs.*: the run registry (engine/session/runs.ts) as the contract's methods. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeModelFile } from '../../io/index.js';
import { LabError, type ModelInfo } from '../../protocol/contract.js';
import { openRunModel } from '../../session/current-model.js';
import type { Handlers } from '../server.js';
import { workspace } from '../workspace.js';
import { fileError } from './models.js';

async function exportRun(id: string, path: string): Promise<{ path: string; bytes: number }> {
  const file = await workspace.runs.model(id);
  const abs = resolve(path);
  try {
    await writeModelFile(abs, file);
  } catch (e) {
    throw fileError(e);
  }
  return { path: abs, bytes: (await stat(abs)).size };
}

async function openRun(id: string, ctx: Parameters<Handlers['runs.open']>[1]): Promise<ModelInfo> {
  if (workspace.classifiers.training) throw new LabError({ message: 'a training run is in progress: stop it before opening another model', code: 'unavailable' });
  const run = workspace.runs.get(id).summary;
  if (run.kind !== 'classifier') throw new LabError({ message: `this is a ${run.kind} run: open it in its own view`, code: 'invalid' });
  return openRunModel(await workspace.runs.model(id), id, ctx);
}

export const runsHandlers = {
  'runs.list': async (p) => {
    await workspace.runs.load();
    return { runs: workspace.runs.list(p.kind), disk: workspace.runs.disk() };
  },
  'runs.get': async (p) => {
    await workspace.runs.load();
    const r = workspace.runs.get(p.id);
    return { run: r.summary, history: r.history, confusion: r.confusion, classes: r.classes };
  },
  'runs.rename': async (p) => {
    await workspace.runs.load();
    return workspace.runs.rename(p.id, p.name);
  },
  'runs.remove': async (p) => {
    await workspace.runs.load();
    return { id: p.id, removed: await workspace.runs.remove(p.id) };
  },
  'runs.export': async (p) => {
    await workspace.runs.load();
    return exportRun(p.id, p.path);
  },
  'runs.open': async (p, ctx) => {
    await workspace.runs.load();
    return openRun(p.id, ctx);
  },
} satisfies Partial<Handlers>;
