/**
 * `locus experiment list|show|run`: the experiments of engine/session/experiments from the command
 * line. `run` trains every variant with the same seed (each a run in the workspace), prints the table
 * and the finding, and with --out writes the report (report.html) and the results (results.json).
 */
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ExperimentFileError, readExperiment, type ExperimentFile } from '../io/experiment.js';
import { figureName, formatFigure } from '../protocol/experiments.js';
import { newRunId } from '../protocol/runs.js';
import { Experiments, experimentInfo, experimentReport, resultsJson, writeExport } from '../session/experiments/index.js';
import { workspaceDir } from '../session/runs.js';
import { parse, required } from './args.js';
import { LOAD_OPTIONS, LOAD_USAGE, loadFolder, loadOptions } from './load.js';
import { Output, table, UsageError } from './output.js';
import { cliRegistry } from './runs-record.js';

export const usage = `locus experiment list [--json]
locus experiment show NAME|FILE
locus experiment run NAME|FILE [--data DIR] [--out DIR] [--no-workspace] [--json]
locus experiment from-runs ID ID... --title TEXT --out FILE
  Controlled experiments: one idea, a base run and 2-6 variants that each change one thing, trained
  one after another with the same seed (the same seed gives the same figures). list names the built-in
  ones; show prints one as an experiment file to copy and change; run trains its variants, prints the
  final figures side by side and a one-line finding. Each variant is a run in the workspace.
  from-runs saves finished runs of one kind (locus runs list) as an experiment file: what they share
  is the base, what differs is each run's variant.
  --data DIR          run on this image folder instead of the experiment's own data (where it allows it)
${LOAD_USAGE}
  --out DIR           write the report (report.html, self-contained) and the results (results.json) there
                      (from-runs: the experiment file to write)
  --title TEXT        from-runs: the experiment's title
  --no-workspace      do not record the variants as runs`;

const OPTIONS = { ...LOAD_OPTIONS, data: { type: 'string' }, out: { type: 'string' }, title: { type: 'string' }, 'no-workspace': { type: 'boolean' } } as const;

/** A built-in by name, or an experiment file. */
async function find(lab: Experiments, name: string): Promise<{ file: ExperimentFile; builtin: boolean }> {
  if (!/[/\\.]/.test(name)) return lab.resolve(name, undefined);
  try {
    return { file: await readExperiment(resolve(name)), builtin: false };
  } catch (e) {
    if (e instanceof ExperimentFileError) throw new Error(e.message);
    throw e;
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals: p } = parse(argv, OPTIONS, true);
  const sub = required(p[0], 'a subcommand (list, show, run, from-runs)');
  const out = new Output(Boolean(v.json));
  const noWorkspace = Boolean(v['no-workspace']) || !workspaceDir();
  const registry = noWorkspace ? null : await cliRegistry();
  const lab = new Experiments(() => registry);
  if (sub === 'list') {
    const list = lab.list();
    if (out.json) for (const e of list) out.result('', { event: 'experiment', ...e });
    else out.result(table([['name', 'kind', 'variants', 'title'], ...list.map((e) => [e.id, e.kind, String(e.variants.length), e.title])], ['l', 'l', 'r', 'l']));
    return 0;
  }
  if (sub === 'from-runs') {
    if (!registry) throw new UsageError('from-runs reads the workspace: there is none (LOCUS_WORKSPACE_DIR=off or --no-workspace)');
    const ids = p.slice(1);
    const runs = ids.map((id) => {
      if (!registry.has(id)) throw new Error(`there is no run ${id} in ${registry.dir} (locus runs list)`);
      return registry.get(id).summary;
    });
    const made = await lab.fromRuns(runs, required(v.title, 'title'), required(v.out, 'out'), true);
    out.result(`wrote ${made.path}: ${runs.length} variants differing in ${made.differs.join(', ')} (locus experiment run ${made.path})`, { event: 'saved', path: made.path, differs: made.differs });
    return 0;
  }
  const name = required(p[1], 'an experiment (a built-in name or a file)');
  if (sub === 'show') {
    const { file } = await find(lab, name);
    process.stdout.write(`${JSON.stringify(file, null, 2)}\n`);
    return 0;
  }
  if (sub !== 'run') throw new UsageError(`unknown subcommand "${sub}" (list, show, run, from-runs)`);
  const { file, builtin } = await find(lab, name);
  const info = experimentInfo(file, builtin);
  let folder = null;
  if (v.data !== undefined) {
    if (info.folder === 'no') throw new UsageError(`the experiment "${file.id}" runs on its own data (${info.data}); --data does not apply`);
    const loaded = await loadFolder(v.data, loadOptions(v), out);
    if (loaded.skipped.length) out.info(`${loaded.skipped.length} files skipped (locus data ${v.data} lists them)`, { event: 'skipped', count: loaded.skipped.length });
    folder = { set: loaded.set, description: `the folder ${basename(resolve(v.data))}` };
  } else if (info.folder === 'required') throw new UsageError(`the experiment "${file.id}" runs on an image folder: give --data DIR`);
  const outDir = v.out === undefined ? null : resolve(v.out);
  if (outDir) await mkdir(outDir, { recursive: true });
  out.info(`${file.title}: ${file.variants.length} variants on ${folder ? folder.description : info.data}`, { event: 'experiment', id: file.id, variants: info.variants });
  const { runner } = lab.start({
    file: builtin ? undefined : file,
    id: builtin ? file.id : undefined,
    data: folder ? 'folder' : 'default',
    runId: newRunId(),
    folder,
    emit: (event, payload) => {
      const e = payload as Record<string, unknown>;
      if (event === 'experiment.progress') out.progress(`variant ${Number(e.variant) + 1}/${e.variants}`, Math.round(1000 * Number(e.fraction)), 1000, String(e.message));
      else if (event === 'experiment.variant') {
        const r = e.result as { name: string; figures: Record<string, number | null>; outcome: { reason: string }; seconds: number };
        out.info(`${r.name}: ${info.metrics.map((k) => `${figureName(k)} ${formatFigure(k, r.figures[k])}`).join(', ')} (${r.outcome.reason}, ${r.seconds.toFixed(1)} s)`, { event: 'variant', name: r.name, figures: r.figures, outcome: r.outcome, seconds: r.seconds });
      }
    },
  });
  const onSig = () => runner.cancel();
  process.once('SIGINT', onSig);
  let results;
  try {
    results = await runner.done;
  } finally {
    process.off('SIGINT', onSig);
  }
  await registry?.idle();
  const rows = results.variants.map((x) => [x.name, ...info.metrics.map((k) => formatFigure(k, x.figures[k])), x.outcome.reason, `${x.seconds.toFixed(1)} s`]);
  if (!out.json && rows.length) out.result(table([['variant', ...info.metrics.map(figureName), 'outcome', 'time'], ...rows], ['l', ...info.metrics.map(() => 'r' as const), 'l', 'r']));
  if (outDir) {
    const html = await writeExport(join(outDir, 'report.html'), await experimentReport(results), true);
    const json = await writeExport(join(outDir, 'results.json'), resultsJson(results), true);
    out.info(`wrote ${html.path} and ${json.path}`, { event: 'written', report: html.path, results: json.path });
  }
  out.result(results.state === 'completed' ? results.finding : `${results.state}: ${results.message}${results.finding ? `. ${results.finding}` : ''}`, { event: 'done', state: results.state, message: results.message, finding: results.finding, seconds: results.seconds, runs: results.variants.map((x) => x.runId) });
  return results.state === 'completed' ? 0 : 1;
}
