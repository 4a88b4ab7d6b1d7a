/**
 * `locus runs list|show|compare|rename|remove|export`: the workspace's runs (made in the app or by
 * `locus train`), through the same registry the engine uses.
 */
import { resolve } from 'node:path';
import { writeModelFile } from '../io/index.js';
import { distinctLabels, RUN_KINDS, runLabel, type RunSummary } from '../protocol/runs.js';
import { oneOf, parse, required } from './args.js';
import { Output, table, UsageError } from './output.js';
import { cliRegistry } from './runs-record.js';

export const usage = `locus runs list [--kind KIND] [--json]
locus runs show ID [--json]
locus runs compare ID ID... [--metric NAME] [--json]
locus runs rename ID NAME
locus runs remove ID
locus runs export ID --out MODEL.json
  The runs in the workspace (made in the app or by locus train), newest first: their label, state,
  epochs and final figures. compare prints one metric per epoch side by side (default valAcc; any
  history column such as trainLoss, valLoss, lossD), labelling each run by what differs.
  The workspace is <user data>/runs (~/.config/Locus/runs on Linux) or LOCUS_WORKSPACE_DIR.
  --kind KIND         only runs of one kind: ${RUN_KINDS.join(', ')}`;

const OPTIONS = { kind: { type: 'string' }, metric: { type: 'string' }, out: { type: 'string' } } as const;

const fig = (x: number | null | undefined, key = ''): string => {
  if (x === null || x === undefined) return '-';
  return /acc/i.test(key) ? `${(100 * x).toFixed(2)}%` : Math.abs(x) >= 1000 ? String(Math.round(x)) : x.toPrecision(4);
};

function status(r: RunSummary): string {
  return r.state === 'done' ? (r.outcome?.reason ?? 'done') : r.state;
}

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals: p } = parse(argv, OPTIONS, true);
  const sub = required(p[0], 'a subcommand (list, show, compare, rename, remove, export)');
  const out = new Output(Boolean(v.json));
  const reg = await cliRegistry();
  for (const u of reg.unreadable) out.info(`run folder ${u.id} could not be read: ${u.reason}`, { event: 'unreadable', ...u });
  switch (sub) {
    case 'list': {
      const kind = v.kind === undefined ? undefined : oneOf(v.kind, 'kind', RUN_KINDS, 'classifier');
      const runs = reg.list(kind);
      const disk = reg.disk();
      if (v.json) {
        out.result('', { runs, disk });
        return 0;
      }
      if (runs.length === 0) {
        out.result(`no runs in ${reg.dir ?? '(no workspace)'}`, {});
        return 0;
      }
      const rows: (string | number)[][] = [['id', 'kind', 'name / label', 'state', 'epochs', 'valAcc', 'from']];
      for (const r of runs) rows.push([r.id, r.kind, r.name || runLabel(r.kind, r.config), status(r), r.epochs, fig(r.figures.valAcc, 'valAcc'), r.origin]);
      out.result(`${table(rows, ['l', 'l', 'l', 'l', 'r', 'r', 'l'])}\n${runs.length} runs, ${(disk.bytes / 1048576).toFixed(1)} of ${(disk.limit / 1048576).toFixed(0)} MB in ${disk.dir}`, {});
      return 0;
    }
    case 'show': {
      const id = required(p[1], 'ID');
      const r = reg.get(id);
      if (v.json) {
        out.result('', { run: r.summary, history: r.history, confusion: r.confusion, classes: r.classes });
        return 0;
      }
      const s = r.summary;
      const keys = [...new Set(r.history.flatMap((h) => Object.keys(h)))].filter((k) => k !== 'epoch');
      const rows: (string | number)[][] = [['epoch', ...keys], ...r.history.map((h) => [String(h.epoch ?? ''), ...keys.map((k) => fig(h[k], k))])];
      const lines = [
        `${s.name || runLabel(s.kind, s.config)}  (${s.kind} run ${s.id}, made in the ${s.origin === 'app' ? 'app' : 'command line'} ${s.createdAt})`,
        `state: ${status(s)}${s.outcome ? `: ${s.outcome.message}` : ''}`,
        `label: ${runLabel(s.kind, s.config)}`,
        `figures: ${Object.entries(s.figures).map(([k, x]) => `${k} ${fig(x, k)}`).join(', ') || '-'}`,
        s.saved ? `saved (${(s.bytes / 1024).toFixed(0)} KB)${s.hasModel ? ', with its model' : ''}` : `not saved: ${s.unsaved ?? ''}`,
        table(rows),
      ];
      out.result(lines.join('\n'), {});
      return 0;
    }
    case 'compare': {
      const ids = p.slice(1);
      if (ids.length < 2) throw new UsageError('compare needs at least two run ids');
      const runs = ids.map((id) => reg.get(id));
      const metric = v.metric ?? 'valAcc';
      const labels = distinctLabels(runs.map((r) => r.summary));
      const epochs = [...new Set(runs.flatMap((r) => r.history.map((h) => h.epoch ?? 0)))].sort((a, b) => a - b);
      const at = (r: (typeof runs)[number], e: number) => r.history.find((h) => h.epoch === e)?.[metric];
      if (v.json) {
        out.result('', { metric, runs: runs.map((r, i) => ({ id: r.summary.id, label: labels[i], figures: r.summary.figures, series: r.history.map((h) => ({ epoch: h.epoch, value: h[metric] ?? null })) })) });
        return 0;
      }
      if (runs.every((r) => r.history.every((h) => h[metric] === undefined))) throw new UsageError(`none of these runs has a "${metric}" column; try valAcc, valLoss, trainLoss or trainAcc`);
      const rows: (string | number)[][] = [['epoch', ...labels], ...epochs.map((e) => [e, ...runs.map((r) => fig(at(r, e), metric))])];
      rows.push(['final', ...runs.map((r) => fig(r.summary.figures[metric], metric))]);
      out.result(`${metric} per epoch\n${table(rows, ['r', ...runs.map(() => 'r' as const)])}`, {});
      return 0;
    }
    case 'rename': {
      const id = required(p[1], 'ID');
      const name = p.slice(2).join(' ');
      const s = await reg.rename(id, name);
      await reg.idle();
      out.result(`run ${id} is now "${s.name || runLabel(s.kind, s.config)}"`, { run: s });
      return 0;
    }
    case 'remove': {
      const id = required(p[1], 'ID');
      reg.get(id);
      await reg.remove(id);
      out.result(`removed run ${id}`, { id, removed: true });
      return 0;
    }
    case 'export': {
      const id = required(p[1], 'ID');
      const path = resolve(required(v.out, 'out'));
      await writeModelFile(path, await reg.model(id));
      out.result(`wrote ${path}`, { id, out: path });
      return 0;
    }
    default:
      throw new UsageError(`unknown subcommand "${sub}" (list, show, compare, rename, remove, export)`);
  }
}
