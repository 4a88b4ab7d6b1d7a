/**
 * The shell's narrowing of export requests (Electron IPC and the browser host alike, in the router):
 *  - an export never replaces a file that is not a Locus model unless the request says overwrite:
 *    true (the app asks the user first); otherwise it is refused with code "exists";
 *  - when the engine fails or stops during an export, the reply tells the truth about the file on disk:
 *    if the target was replaced by a complete Locus model file (the write is an atomic rename), the
 *    export is reported done, with its size; otherwise the error says the file was left as it was.
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LabError } from '../../engine/protocol/contract.js';

export const EXPORT_METHODS: ReadonlySet<string> = new Set(['models.export', 'gan.export', 'sequence.export', 'runs.export']);

/** What was at the target before the export: enough to tell afterwards whether it was replaced. */
export interface Before {
  abs: string;
  ino: number | null;
  mtimeMs: number | null;
}

const LOCUS_HEAD = /^\s*\{\s*"format"\s*:\s*"locus-model"/;

/** Whether the file at abs starts like a Locus model file (what writeModelFile writes). */
export async function isLocusModelFile(abs: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(abs, 'r');
    const buf = Buffer.alloc(256);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return LOCUS_HEAD.test(buf.subarray(0, bytesRead).toString('utf8'));
  } catch {
    return false;
  } finally {
    await fh?.close().catch(() => {});
  }
}

/** Check an export's target before the engine writes; throws LabError ("exists" or "invalid"). */
export async function beforeExport(params: { path: string; overwrite?: boolean }): Promise<Before> {
  const abs = resolve(params.path);
  const st = await stat(abs).catch(() => null);
  if (!st) return { abs, ino: null, mtimeMs: null };
  if (!st.isFile()) throw new LabError({ message: `${abs} is not a file; choose a file name to export to`, code: 'invalid' });
  if (params.overwrite !== true && !(await isLocusModelFile(abs))) {
    throw new LabError({ message: `${abs} exists and is not a Locus model file; it was not replaced (confirm to overwrite it)`, code: 'exists' });
  }
  return { abs, ino: st.ino, mtimeMs: st.mtimeMs };
}

/**
 * After an export failed: the result to report instead, if the target now holds a new complete Locus
 * model file; otherwise the error, with what is on disk said plainly.
 */
export async function afterFailedExport(before: Before, e: unknown): Promise<{ path: string; bytes: number }> {
  const st = await stat(before.abs).catch(() => null);
  const replaced = st !== null && st.isFile() && (st.ino !== before.ino || st.mtimeMs !== before.mtimeMs);
  if (replaced && (await isLocusModelFile(before.abs))) return { path: before.abs, bytes: st.size };
  const info = e instanceof LabError ? { message: e.message, code: e.code } : { message: e instanceof Error ? e.message : String(e), code: 'failed' as const };
  const disk = before.ino === null ? `no file was written at ${before.abs}` : `${before.abs} was left as it was`;
  throw new LabError({ ...info, message: `${info.message} (${disk})` });
}
