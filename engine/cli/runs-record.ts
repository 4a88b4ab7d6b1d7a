/**
 * A run made by `locus train` (and the other training commands) recorded in the workspace, so the app
 * and `locus runs` list it beside the app's own. Nothing here decides how a run trains: it only files
 * what the command produced through the same registry the engine uses (engine/session/runs.ts).
 */
import type { ModelFile } from '../io/index.js';
import type { RunKind, RunOutcome } from '../protocol/runs.js';
import { RunRegistry, workspaceDir, workspaceLimit, type HistoryRow } from '../session/runs.js';

export interface RunToRecord {
  kind: RunKind;
  config: Record<string, unknown>;
  name: string;
  history: HistoryRow[];
  outcome: RunOutcome;
  figures: Record<string, number | null>;
  confusion?: number[][] | null;
  classes?: string[];
  model: ModelFile | null;
}

/** The CLI's registry on the workspace folder (LOCUS_WORKSPACE_DIR, else <userData>/runs). */
export async function cliRegistry(): Promise<RunRegistry> {
  const r = new RunRegistry({ dir: workspaceDir(), limit: workspaceLimit(), origin: 'cli' });
  await r.load();
  return r;
}

/** File the run; returns its id and a line for the user, or null when there is no workspace. */
export async function recordRun(run: RunToRecord): Promise<{ id: string; saved: boolean; message: string } | null> {
  if (!workspaceDir()) return null;
  const reg = await cliRegistry();
  const s = reg.create(run.kind, run.config, { name: run.name });
  for (const row of run.history) reg.addEpoch(s.id, row);
  const done = await reg.finish(s.id, { outcome: run.outcome, figures: run.figures, confusion: run.confusion ?? null, classes: run.classes ?? [], model: run.model });
  await reg.idle();
  const message = done.saved ? `recorded as run ${done.id} in ${reg.dir} (locus runs show ${done.id})` : `the run was not recorded: ${done.unsaved ?? 'unknown reason'}`;
  return { id: done.id, saved: done.saved, message };
}
