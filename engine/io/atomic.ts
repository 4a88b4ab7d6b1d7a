/**
 * Atomic file replacement: write a temporary file in the same folder, flush it to disk (fsync), then
 * rename it over the target (atomic on one file system), then fsync the folder so the rename itself
 * survives a crash. On any failure the temporary file is removed and an earlier file at the target
 * is left exactly as it was.
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
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

export async function writeFileAtomic(path: string, text: string, steps: Partial<AtomicSteps> = {}): Promise<void> {
  const s = { ...REAL, ...steps };
  const dir = dirname(path);
  let tmp = '';
  let fh: FileHandle | undefined;
  for (let attempt = 0; !fh; attempt++) {
    tmp = join(dir, `.${basename(path)}.${process.pid}.${++counter}.tmp`);
    try {
      fh = await open(tmp, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw e;
    }
  }
  try {
    await s.write(fh, text);
    await s.sync(fh);
    await fh.close();
    fh = undefined;
    await s.rename(tmp, path);
  } catch (e) {
    await fh?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await syncDir(dir);
}

/** fsync a folder so a rename in it is durable; not every platform allows it (Windows), so best effort. */
async function syncDir(dir: string): Promise<void> {
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
