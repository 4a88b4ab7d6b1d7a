/**
 * Atomic file replacement: write a temporary file in the same folder, flush it to disk (fsync), then
 * rename it over the target (atomic on one file system), then fsync the folder so the rename itself
 * survives a crash. On any failure the temporary file is removed and an earlier file at the target
 * is left exactly as it was.
 *
 * Temporary files are named `.NAME.PID.N.tmp`. A process killed mid-write leaves one behind; they are
 * swept before each write to NAME and after a failure (sweepTemps): those of processes that no longer
 * run, and any older than an hour.
 */
import { open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The steps that touch the disk; tests replace one to make it fail. */
export interface AtomicSteps {
  write(fh: FileHandle, text: string): Promise<void>;
  sync(fh: FileHandle): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

const REAL: AtomicSteps = {
  write: (fh, text) => fh.writeFile(text, 'utf8'),
  sync: (fh) => fh.sync(),
  rename: (from, to) => rename(from, to),
};

let counter = 0;
/** Temporary files this process is writing now (never swept). */
const inFlight = new Set<string>();
const STALE_MS = 60 * 60 * 1000;

/** Whether a process with this id runs (ours always does). */
export function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // runs, as another user
  }
}

/**
 * Remove stale temporaries of writeFileAtomic for the file at `path`: `.NAME.PID.N.tmp` (and the
 * `.bak`/`.old` of a swap) whose process no longer runs, or older than an hour; never one this process
 * is writing. Returns how many were removed.
 */
export async function sweepTemps(path: string): Promise<number> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    // .tmp: a temporary being written; .bak/.old: an earlier file kept aside during a swap (tfjs-write).
    const m = /^(\d+)\.(\d+)\.(tmp|bak|old)$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const tmp = join(dir, name);
    if (inFlight.has(tmp)) continue;
    const pid = Number(m[1]);
    let stale = !processRuns(pid);
    if (!stale) stale = await stat(tmp).then((st) => Date.now() - st.mtimeMs > STALE_MS, () => false);
    if (stale && (await unlink(tmp).then(() => true, () => false))) removed++;
  }
  return removed;
}

export interface AtomicOptions {
  /** File mode of a new file (default 0o644; settings use 0o600). */
  mode?: number;
}

export async function writeFileAtomic(path: string, text: string, steps: Partial<AtomicSteps> = {}, options: AtomicOptions = {}): Promise<void> {
  const staged = await stageFile(path, text, steps, options);
  await staged.commit();
  await syncDir(dirname(path));
}

/** A file written and flushed under its temporary name, not yet renamed over its target. */
export interface StagedFile {
  /** Rename the temporary over the target (on failure the temporary is removed and the target kept). */
  commit(): Promise<void>;
  /** Remove the temporary; the target is left as it was. */
  abort(): Promise<void>;
}

/**
 * The first half of writeFileAtomic: the temporary file written and flushed to disk. A folder of files
 * (an export package) stages every file first and then renames them one right after another, so a
 * process stopped while writing leaves the earlier package whole.
 */
export async function stageFile(path: string, text: string, steps: Partial<AtomicSteps> = {}, options: AtomicOptions = {}): Promise<StagedFile> {
  const s = { ...REAL, ...steps };
  const dir = dirname(path);
  await sweepTemps(path);
  let tmp = '';
  let fh: FileHandle | undefined;
  for (let attempt = 0; !fh; attempt++) {
    tmp = join(dir, `.${basename(path)}.${process.pid}.${++counter}.tmp`);
    try {
      fh = await open(tmp, 'wx', options.mode ?? 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw e;
    }
  }
  inFlight.add(tmp);
  const abort = async (): Promise<void> => {
    await unlink(tmp).catch(() => {});
    inFlight.delete(tmp);
    await sweepTemps(path);
  };
  try {
    await s.write(fh, text);
    await s.sync(fh);
    await fh.close();
    fh = undefined;
  } catch (e) {
    await fh?.close().catch(() => {});
    await abort();
    throw e;
  }
  return {
    abort,
    async commit() {
      try {
        await s.rename(tmp, path);
      } catch (e) {
        await abort();
        throw e;
      }
      inFlight.delete(tmp);
    },
  };
}

/** fsync a folder so a rename in it is durable; not every platform allows it (Windows), so best effort. */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Opening or syncing a directory is unsupported on some platforms; the data itself is already synced.
  } finally {
    await fh?.close().catch(() => {});
  }
}

/**
 * Why a write of `path` failed, in words: the folder that is missing, a permission, a full disk;
 * never the name of the temporary file the write went through.
 */
export function writeFailure(e: unknown, path: string): string {
  const err = e as NodeJS.ErrnoException;
  const dir = dirname(path);
  switch (err?.code) {
    case 'ENOENT':
      return `the folder ${dir} does not exist`;
    case 'ENOTDIR':
      return `${dir} is not a folder`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied in ${dir}`;
    case 'ENOSPC':
      return 'the disk is full';
    case 'EROFS':
      return `${dir} is on a read-only disk`;
    case 'EISDIR':
      return `${path} is a folder`;
    default:
      return (err?.message ?? String(e)).replace(/\S*\.tmp\b/g, path);
  }
}

