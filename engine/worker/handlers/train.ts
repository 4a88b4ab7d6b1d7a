/** train.*: describe a network, start a run on the loaded folder, control it, inspect the model (engine/session does the work). */
import { Rng } from '../../core/rng.js';
import { LabError, type ArchitectureRequest, type ArchitectureSummary } from '../../protocol/contract.js';
import { buildClassifier, layerRows, presetNames } from '../../session/architecture.js';
import type { Handlers } from '../server.js';
import { workspace } from '../workspace.js';
import { inspectImage } from './train-inspect.js';

export function describe(params: ArchitectureRequest & { toyClasses?: number }): ArchitectureSummary {
  const { toyClasses, ...req } = params;
  const data = workspace.data;
  if (!data && toyClasses === undefined) throw new LabError({ message: 'no folder is loaded: open one in Data first', code: 'unavailable' });
  // A 2-D toy set's points are 2x1x1 "images" (engine/session/toy-train.ts).
  const set = toyClasses === undefined ? data?.result.set : undefined;
  const input = set ? [set.channels, set.height, set.width] : [2, 1, 1];
  const model = buildClassifier(req, input, Math.max(2, set ? set.classes.length : (toyClasses ?? 2)), new Rng(0));
  const layers = layerRows(model);
  return { input, layers, params: layers.reduce((a, l) => a + l.params, 0), presets: presetNames() };
}

export const trainHandlers = {
  'train.describe': (p) => describe(p),
  'train.start': (p, ctx) => workspace.classifiers.start(p, workspace.runData(), ctx),
  'train.control': (p) => workspace.classifiers.control(p.action, p.steps),
  'train.setLr': (p) => workspace.classifiers.setLr(p.lr),
  'train.speed': (p) => workspace.classifiers.speed(p.delay),
  'train.regions': (p) => workspace.classifiers.regions(p.size ?? 64),
  'train.status': () => ({ run: workspace.classifiers.status() }),
  'train.inspect': (p) => inspectImage(p.index),
  'train.prune': (p) => workspace.classifiers.prune(p.fraction, p.units ?? false),
  'train.unprune': () => workspace.classifiers.unprune(),
  'train.grow': (p, ctx) => workspace.classifiers.grow(p, workspace.runData(), ctx),
  'train.ungrow': (_p, ctx) => workspace.classifiers.ungrow(ctx),
} satisfies Partial<Handlers>;
