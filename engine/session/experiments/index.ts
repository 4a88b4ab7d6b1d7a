/**
 * Experiments as the app and the command line use them: the list, running one (a built-in or a
 * file), cancel, the results, the report and JSON export, reading a file, and an experiment made from
 * finished runs. The worker's experiments.* handlers and `locus experiment` are thin adapters over it.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ImageSet } from '../../data/folder.js';
import { checkExperiment, ExperimentFileError, type ExperimentFile, readExperiment } from '../../io/experiment.js';
import { writeFailure, writeFileAtomic } from '../../io/atomic.js';
import { LabError } from '../../protocol/contract.js';
import type { ExperimentInfo, ExperimentResults } from '../../protocol/experiments.js';
import type { RunSummary } from '../../protocol/runs.js';
import type { RunRegistry } from '../runs.js';
import { BUILTIN_EXPERIMENTS, builtinExperiment } from './builtins.js';
import { experimentFromRuns } from './from-runs.js';
import { experimentReport } from './report.js';
import { ExperimentRunner, experimentInfo } from './runner.js';

export { BUILTIN_EXPERIMENTS, builtinExperiment, experimentFromRuns, experimentInfo, experimentReport, ExperimentRunner };

const invalid = (message: string): LabError => new LabError({ message, code: 'invalid' });

/** The results as JSON text (typed arrays as plain arrays). */
export function resultsJson(r: ExperimentResults): string {
  return `${JSON.stringify(r, (_k, v: unknown) => (v instanceof Float32Array ? Array.from(v, (x) => Number(x.toPrecision(6))) : v), 2)}\n`;
}

/** Write text atomically; refuse to replace a file unless asked; say in words what went wrong. */
export async function writeExport(path: string, text: string, overwrite: boolean): Promise<{ path: string; bytes: number }> {
  const abs = resolve(path);
  const dir = dirname(abs);
  const there = await stat(dir).catch(() => null);
  if (!there) throw new LabError({ message: `the folder ${dir} does not exist`, code: 'failed' });
  if (!there.isDirectory()) throw new LabError({ message: `${dir} is not a folder`, code: 'failed' });
  const old = await stat(abs).catch(() => null);
  if (old?.isDirectory()) throw new LabError({ message: `${abs} is a folder`, code: 'failed' });
  if (old && !overwrite) throw new LabError({ message: `${abs} exists: replace it?`, code: 'exists' });
  try {
    await writeFileAtomic(abs, text);
  } catch (e) {
    throw new LabError({ message: `could not write ${abs}: ${writeFailure(e, abs)}`, code: 'failed' });
  }
  return { path: abs, bytes: Buffer.byteLength(text) };
}

export interface StartOptions {
  id?: string;
  file?: unknown;
  data?: 'default' | 'folder';
  runId: string;
  folder: { set: ImageSet; description: string } | null;
  emit(event: 'experiment.progress' | 'experiment.variant' | 'experiment.done', payload: unknown): void;
}

export class Experiments {
  readonly #runs = new Map<string, ExperimentRunner>();
  #latest: string | null = null;

  constructor(private readonly registry: () => RunRegistry | null) {}

  list(): ExperimentInfo[] {
    return BUILTIN_EXPERIMENTS.map((e) => experimentInfo(e, true));
  }

  /** A built-in by id or a file's content, checked. */
  resolve(id: string | undefined, file: unknown): { file: ExperimentFile; builtin: boolean } {
    if (file !== undefined) {
      try {
        return { file: checkExperiment(file), builtin: false };
      } catch (e) {
        throw invalid((e as Error).message);
      }
    }
    if (id === undefined) throw invalid('give an experiment: a built-in id or a file');
    const b = builtinExperiment(id);
    if (!b) throw invalid(`there is no built-in experiment "${id}" (known: ${BUILTIN_EXPERIMENTS.map((e) => e.id).join(', ')})`);
    return { file: b, builtin: true };
  }

  get busy(): boolean {
    return [...this.#runs.values()].some((r) => r.results.state === 'running');
  }

  start(o: StartOptions): { runner: ExperimentRunner; info: ExperimentInfo } {
    if (this.busy) throw new LabError({ message: 'an experiment is running: cancel it or wait for it to end', code: 'unavailable' });
    if (this.#runs.has(o.runId)) throw invalid(`an experiment run "${o.runId}" exists already`);
    const { file, builtin } = this.resolve(o.id, o.file);
    const runner = new ExperimentRunner({ file, builtin, data: o.data ?? 'default', folder: o.folder, runId: o.runId, registry: this.registry(), emit: o.emit });
    this.#runs.set(o.runId, runner);
    this.#latest = o.runId;
    // Only the last few experiment runs are kept in memory (each variant is a run in the workspace).
    for (const k of [...this.#runs.keys()].slice(0, -8)) this.#runs.delete(k);
    return { runner, info: runner.results.info };
  }

  cancel(runId: string): boolean {
    const r = this.#runs.get(runId);
    if (!r || r.results.state !== 'running') return false;
    r.cancel();
    return true;
  }

  results(runId?: string): ExperimentResults | null {
    const id = runId ?? this.#latest;
    return id ? (this.#runs.get(id)?.results ?? null) : null;
  }

  async export(runId: string, format: 'html' | 'json', path: string, overwrite: boolean): Promise<{ path: string; bytes: number }> {
    const r = this.#runs.get(runId);
    if (!r) throw new LabError({ message: `there is no experiment run "${runId}"`, code: 'unavailable' });
    const text = format === 'html' ? await experimentReport(r.results) : resultsJson(r.results);
    return writeExport(path, text, overwrite);
  }

  async open(path: string): Promise<{ info: ExperimentInfo; experiment: Record<string, unknown> }> {
    try {
      const file = await readExperiment(resolve(path));
      return { info: experimentInfo(file, false), experiment: file as unknown as Record<string, unknown> };
    } catch (e) {
      if (e instanceof ExperimentFileError) throw new LabError({ message: e.message, code: 'failed' });
      throw e;
    }
  }

  async fromRuns(runs: RunSummary[], title: string, path: string | undefined, overwrite: boolean): Promise<{ experiment: Record<string, unknown>; differs: string[]; path: string | null }> {
    const { experiment, differs } = experimentFromRuns(runs, title);
    const file = checkExperiment(experiment);
    let saved: string | null = null;
    if (path) saved = (await writeExport(path, `${JSON.stringify(file, null, 2)}\n`, overwrite)).path;
    return { experiment: file as unknown as Record<string, unknown>, differs, path: saved };
  }
}
