/**
 * One shape for every run (contract.ts lists the runs.* methods and events): a classifier, a GAN, a
 * sequence model or a clustering run has an id, a kind, a name the user can change, the label made from
 * its settings, its config, its state, its history of per-epoch figures and its final figures. The
 * engine's run registry (engine/session/runs.ts) keeps them and saves finished ones to the workspace;
 * the app and `locus runs` list, compare, rename, export, continue and remove them.
 *
 * labelParts / distinctLabels are plain functions so the renderer and the CLI label runs the same way.
 */
import { arr, bool, count, type Guard, type Infer, literal, nullable, obj, optional, str } from './guard.js';
import { plural } from './words.js';

export const RUN_KINDS = ['classifier', 'gan', 'sequence', 'cluster'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** A run id: letters, digits and dashes (it names the run's folder in the workspace). */
export const RunId: Guard<string> = {
  check(x, p) {
    if (typeof x === 'string' && /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(x)) return null;
    return `${p ? `${p}: ` : ''}a run id is 1 to 64 letters, digits and dashes`;
  },
};

/** A new run id: the time it was made and a random part (sortable, and unique across processes). */
export function newRunId(now = new Date(), random: () => number = Math.random): string {
  const t = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const r = Math.floor(random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  return `${t}-${r}`;
}

export const RUN_STATES = ['running', 'paused', 'done'] as const;
export type RunLifeState = (typeof RUN_STATES)[number];
export const RUN_OUTCOMES = ['completed', 'stopped', 'early-stopped', 'diverged', 'failed'] as const;

/** A plain JSON object (finite numbers, strings, booleans, null, arrays, objects), at most 8 deep and 64 KB as JSON. */
export const JsonObject: Guard<Record<string, unknown>> = {
  check(x, p) {
    const at = (m: string): string => (p ? `${p}: ${m}` : m);
    if (typeof x !== 'object' || x === null || Array.isArray(x)) return at('expected an object');
    const ok = (v: unknown, depth: number): boolean => {
      if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
      if (typeof v === 'number') return Number.isFinite(v);
      if (depth <= 0 || typeof v !== 'object') return false;
      if (Array.isArray(v)) return v.length <= 4096 && v.every((e) => ok(e, depth - 1));
      const proto = Object.getPrototypeOf(v);
      return (proto === Object.prototype || proto === null) && Object.values(v).every((e) => ok(e, depth - 1));
    };
    if (!ok(x, 8)) return at('expected plain JSON (finite numbers, strings, booleans, arrays, objects)');
    return JSON.stringify(x).length <= 65_536 ? null : at('too large (at most 64 KB)');
  },
};

/** Named figures: {valAcc: 0.81, trainLoss: 0.52, ...}; a figure that does not exist yet is null. */
export const Figures: Guard<Record<string, number | null>> = {
  check(x, p) {
    const at = (m: string): string => (p ? `${p}: ${m}` : m);
    if (typeof x !== 'object' || x === null || Array.isArray(x)) return at('expected an object of figures');
    const entries = Object.entries(x);
    if (entries.length > 64) return at('at most 64 figures');
    for (const [k, v] of entries) {
      if (k.length === 0 || k.length > 64) return at('a figure name is 1 to 64 characters');
      if (v !== null && !(typeof v === 'number' && Number.isFinite(v))) return at(`${k}: expected a finite number or null`);
    }
    return null;
  },
};

export const RunOutcome = obj({ reason: literal(...RUN_OUTCOMES), message: str({ max: 4096 }) });
export type RunOutcome = Infer<typeof RunOutcome>;

export const RunSummary = obj({
  id: RunId,
  kind: literal(...RUN_KINDS),
  /** The user's name for the run ('' until they give one: the label is shown instead). */
  name: str({ max: 100 }),
  state: literal(...RUN_STATES),
  outcome: nullable(RunOutcome),
  /** The request it was started with (train.start's TrainConfig, ...), with the learning rate as of now. */
  config: JsonObject,
  /** Epochs in its history. */
  epochs: count(),
  /** The figures of the model as it ends (after early stopping: the restored weights'). */
  figures: Figures,
  createdAt: str({ max: 40 }),
  updatedAt: str({ max: 40 }),
  /** Where it was made. */
  origin: literal('app', 'cli'),
  /** The run it continues (a continued or pruned model), if any. */
  parent: nullable(RunId),
  /** Saved in the workspace folder (finished runs are; a run over the disk budget is not). */
  saved: bool,
  /** Why it was not saved, if it was not. */
  unsaved: nullable(str({ max: 1000 })),
  /** Bytes it takes in the workspace. */
  bytes: count(),
  /** A model file can be exported or continued from it. */
  hasModel: bool,
});
export type RunSummary = Infer<typeof RunSummary>;

/** One epoch's figures: epoch plus any named numbers (trainLoss, valAcc, lossD, ...). */
export const HistoryRow: Guard<Record<string, number | null>> = Figures;

export const RunDetail = obj({
  run: RunSummary,
  history: arr(HistoryRow, { max: 100_000 }),
  /** Classifier: validation confusion matrix [actual][predicted] of the final model, and its classes. */
  confusion: nullable(arr(arr(count(), { max: 10_000 }), { max: 10_000 })),
  classes: arr(str({ max: 1024 }), { max: 10_000 }),
});
export type RunDetail = Infer<typeof RunDetail>;

export const WorkspaceDisk = obj({
  /** The workspace folder (where finished runs are saved). */
  dir: str({ max: 4096 }),
  bytes: count(),
  /** At most this many bytes are used; a run that would go over is kept in memory only, with the reason. */
  limit: count(),
});
export type WorkspaceDisk = Infer<typeof WorkspaceDisk>;

export const RunsList = obj({ runs: arr(RunSummary, { max: 10_000 }), disk: WorkspaceDisk });
export type RunsList = Infer<typeof RunsList>;

export const RunRef = obj({ id: RunId });
export const RunRename = obj({ id: RunId, name: str({ max: 100 }) });
export const RunsListParams = obj({ kind: optional(literal(...RUN_KINDS)) });
export const RunRemoved = obj({ id: RunId, removed: bool });
/** overwrite: see ExportParams in contract.ts (a file that is not a Locus model is replaced only when true). */
export const RunExportParams = obj({ id: RunId, path: str({ min: 1, max: 4096 }), overwrite: optional(bool) });
export const RunExported = obj({ path: str({ min: 1, max: 4096 }), bytes: count() });

// ---------------------------------------------------------------------------------------------------
// Labels: what a run is, in a few words; and, among several runs, only the words that differ.

const OPT_NAMES: Record<string, string> = { sgd: 'SGD', momentum: 'Momentum', nesterov: 'Nesterov', rmsprop: 'RMSprop', adam: 'Adam' };

/** A number in few characters: 0.001, 1e-4, 0.05, 64. */
export function short(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) < 1e-3) return x.toExponential(1).replace('.0e', 'e');
  return String(Number(x.toPrecision(3)));
}

export interface LabelPart {
  key: string;
  text: string;
}

const o = (c: Record<string, unknown>, k: string): Record<string, unknown> => (typeof c[k] === 'object' && c[k] !== null ? (c[k] as Record<string, unknown>) : {});
const n = (x: unknown): number | undefined => (typeof x === 'number' ? x : undefined);

/** The parts of a run's label, from its kind and config (train.start's TrainConfig for classifiers). */
export function labelParts(kind: RunKind, config: Record<string, unknown>): LabelPart[] {
  const parts: LabelPart[] = [];
  const add = (key: string, text: string | undefined | false): void => {
    if (text) parts.push({ key, text });
  };
  if (kind === 'classifier') {
    const a = o(config, 'architecture');
    const layers = Array.isArray(a.layers) ? a.layers : null;
    add('net', typeof config.model === 'string' ? config.model : layers ? `custom (${plural(layers.length, 'layer')})` : typeof a.preset === 'string' ? a.preset : 'lenet5');
    const toy = o(config, 'toy');
    add('data', typeof toy.name === 'string' && `on 2-D ${toy.name}`);
    add('activation', typeof a.activation === 'string' && a.activation);
    add('depth', n(a.depth) !== undefined && `depth ${a.depth}`);
    add('batchNorm', a.batchNorm === true && 'BN');
    add('dropout', n(a.dropout) ? `dropout ${short(n(a.dropout)!)}` : false);
    add('inputDropout', n(a.inputDropout) ? `input dropout ${short(n(a.inputDropout)!)}` : false);
    const opt = o(config, 'optimizer');
    const t = typeof opt.type === 'string' ? opt.type : 'adam';
    add('optimizer', `${OPT_NAMES[t] ?? t} ${n(opt.lr) === undefined ? '' : short(n(opt.lr)!)}`.trim());
    add('momentum', (t === 'momentum' || t === 'nesterov') && n(opt.momentum) !== undefined && n(opt.momentum) !== 0.9 && `β ${short(n(opt.momentum)!)}`);
    add('biasCorrection', t === 'adam' && opt.biasCorrection === false && 'no bias correction');
    add('weightDecay', n(opt.weightDecay) ? `${opt.decoupled ? 'AdamW decay' : 'L2'} ${short(n(opt.weightDecay)!)}` : false);
    add('clip', n(config.clipNorm) ? `clip ${short(n(config.clipNorm)!)}` : false);
    add('patience', n(config.patience) ? `early stop ${config.patience}` : false);
    const h = o(config, 'hints');
    add('hints', typeof h.mode === 'string' && `hints ${h.mode}`);
    add('batch', n(config.batchSize) !== undefined && `batch ${config.batchSize}`);
    add('resume', config.resume === true && 'continued');
  } else if (kind === 'gan') {
    add('mode', config.mode === 'toy' ? `toy ${typeof config.toy === 'string' ? config.toy : ''}`.trim() : 'image GAN');
    add('lr', `lr G ${short(n(config.lrG) ?? 0)} D ${short(n(config.lrD) ?? 0)}`);
    add('dSteps', n(config.dSteps) !== undefined && n(config.dSteps) !== 1 && `k=${config.dSteps}`);
    add('loss', config.nonSaturating === false && 'saturating');
    add('batch', n(config.batchSize) !== undefined && `batch ${config.batchSize}`);
  } else if (kind === 'sequence') {
    add('cell', typeof config.cell === 'string' && config.cell.toUpperCase());
    add('units', n(config.units) !== undefined && `${config.units} units`);
    add('task', typeof config.task === 'string' && config.task);
    add('lag', n(config.lag) !== undefined && `lag ${config.lag}`);
    const opt = o(config, 'optimizer');
    add('optimizer', typeof opt.type === 'string' && `${OPT_NAMES[opt.type] ?? opt.type} ${n(opt.lr) === undefined ? '' : short(n(opt.lr)!)}`.trim());
    add('lr', n(config.lr) !== undefined && `lr ${short(n(config.lr)!)}`);
  } else {
    const NAMES: Record<string, string> = { kmeans: 'k-means', 'fuzzy-art': 'Fuzzy ART', art2a: 'ART-2A', som: 'SOM', rbf: 'RBF', moe: 'mixture of experts' };
    const algo = typeof config.algorithm === 'string' ? config.algorithm : '';
    add('algorithm', NAMES[algo] ?? algo);
    add('source', typeof config.source === 'string' && config.source);
    add('k', n(config.k) !== undefined && `k ${config.k}`);
    add('rate', config.rate === 'count' ? 'rate 1/count' : n(config.rate) !== undefined && `rate ${short(n(config.rate)!)}`);
    add('vigilance', n(config.vigilance) !== undefined && `ρ ${short(n(config.vigilance)!)}`);
    add('lattice', n(config.width) !== undefined && n(config.height) !== undefined && `${config.width}×${config.height}`);
    add('neighbourhood', typeof config.neighbourhood === 'string' && config.neighbourhood);
    add('units', n(config.units) !== undefined && `${config.units} units`);
    add('experts', n(config.experts) !== undefined && `${config.experts} experts`);
    add('mode', typeof config.mode === 'string' && algo === 'moe' && config.mode);
    add('epochs', n(config.epochs) !== undefined && plural(config.epochs as number, 'epoch'));
  }
  add('seed', n(config.seed) !== undefined && `seed ${config.seed}`);
  return parts;
}

/** A run's whole label: its parts joined. */
export function runLabel(kind: RunKind, config: Record<string, unknown>): string {
  return labelParts(kind, config)
    .map((p) => p.text)
    .join(' · ');
}

/**
 * Labels for runs shown together: the user's name where they gave one; otherwise only the parts that
 * differ between the runs (the net when nothing differs), so "relu" and "sigmoid" tell two otherwise
 * equal runs apart. Runs that still read the same get "#2", "#3" after their label.
 */
export function distinctLabels(runs: readonly Pick<RunSummary, 'kind' | 'name' | 'config'>[]): string[] {
  const parts = runs.map((r) => labelParts(r.kind, r.config));
  const keys = new Set(parts.flat().map((p) => p.key));
  const differing = [...keys].filter((k) => {
    const texts = new Set(parts.map((ps) => ps.find((p) => p.key === k)?.text ?? ''));
    return texts.size > 1;
  });
  const labels = runs.map((r, i) => {
    if (r.name) return r.name;
    const shown = parts[i].filter((p) => differing.includes(p.key));
    return (shown.length ? shown : parts[i].slice(0, 2)).map((p) => p.text).join(' · ');
  });
  const seen = new Map<string, number>();
  return labels.map((l) => {
    const k = (seen.get(l) ?? 0) + 1;
    seen.set(l, k);
    return k === 1 ? l : `${l} #${k}`;
  });
}
