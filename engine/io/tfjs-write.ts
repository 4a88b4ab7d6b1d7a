/**
 * Writing an export to disk, all or nothing.
 *  - Single file: writeFileAtomic (temporary file, fsync, rename).
 *  - Folder (model.json + group1-shard1of1.bin): both files are first written in full to temporary files
 *    beside their targets and flushed; then an earlier model.json is moved aside (so from here on no
 *    model.json can describe weights it was not written with), the weights are renamed into place and
 *    the new model.json after them. If anything fails, the temporary files are removed and the earlier
 *    pair is put back (the weights from a hard link taken before the swap). A process killed between
 *    the renames leaves a folder without model.json, which TensorFlow.js refuses to load, never new
 *    weights beside an old model.json of the same architecture (which it would load silently); the
 *    moved-aside and temporary files are swept by the next export to that folder.
 */
import { link, mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { sweepTemps, writeFileAtomic } from './atomic.js';
import { TFJS_WEIGHTS_FILE, tfjsSingleJson, type TfjsExport } from './tfjs.js';

/** The steps that touch the disk; tests replace one to make it fail. */
export interface TfjsWriteSteps {
  write(fh: FileHandle, data: string | Uint8Array): Promise<void>;
  sync(fh: FileHandle): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

const REAL: TfjsWriteSteps = {
  write: (fh, data) => fh.writeFile(data),
  sync: (fh) => fh.sync(),
  rename: (from, to) => rename(from, to),
};

let counter = 0;
const tmpName = (path: string, tag: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.${tag}`);

export interface TfjsWritten {
  modelPath: string;
  weightsPath: string;
  bytes: number;
}

/** Write `dir/model.json` and `dir/group1-shard1of1.bin` (the folder is created if missing). */
export async function writeTfjsFiles(dir: string, e: TfjsExport, steps: Partial<TfjsWriteSteps> = {}): Promise<TfjsWritten> {
  const s = { ...REAL, ...steps };
  await mkdir(dir, { recursive: true });
  const modelPath = join(dir, 'model.json');
  const weightsPath = join(dir, TFJS_WEIGHTS_FILE);
  const text = JSON.stringify(e.modelJson) + '\n';
  await sweepTemps(modelPath);
  await sweepTemps(weightsPath);
  const staged: string[] = [];
  let backup: string | null = null;
  let modelAside: string | null = null;
  let weightsSwapped = false;
  try {
    const tmpWeights = await stage(weightsPath, e.weightData, s, staged);
    const tmpModel = await stage(modelPath, text, s, staged);
    if (await exists(weightsPath)) {
      backup = tmpName(weightsPath, 'bak');
      await link(weightsPath, backup);
    }
    if (await exists(modelPath)) {
      modelAside = tmpName(modelPath, 'old');
      await s.rename(modelPath, modelAside);
    }
    await s.rename(tmpWeights, weightsPath);
    weightsSwapped = true;
    await s.rename(tmpModel, modelPath);
    if (modelAside) await unlink(modelAside).catch(() => {});
    modelAside = null;
  } catch (err) {
    if (weightsSwapped) {
      if (backup) await rename(backup, weightsPath).catch(() => {});
      else await unlink(weightsPath).catch(() => {});
    }
    if (modelAside) await rename(modelAside, modelPath).catch(() => {});
    for (const p of staged) await unlink(p).catch(() => {});
    throw err;
  } finally {
    if (backup) await unlink(backup).catch(() => {});
  }
  await syncDir(dir);
  return { modelPath, weightsPath, bytes: Buffer.byteLength(text) + e.weightData.byteLength };
}

/** Write the single-file variant (model.json's fields plus `weightDataBase64`) atomically. */
export async function writeTfjsJson(path: string, e: TfjsExport): Promise<number> {
  const text = JSON.stringify(tfjsSingleJson(e)) + '\n';
  await writeFileAtomic(path, text);
  return Buffer.byteLength(text);
}

/** Write data in full to a new temporary file beside `path` and flush it; returns the temporary path. */
async function stage(path: string, data: string | Uint8Array, s: TfjsWriteSteps, staged: string[]): Promise<string> {
  const tmp = tmpName(path, 'tmp');
  const fh = await open(tmp, 'wx', 0o644);
  staged.push(tmp);
  try {
    await s.write(fh, data);
    await s.sync(fh);
  } finally {
    await fh.close();
  }
  return tmp;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Best-effort fsync of a folder so the renames in it are durable (not every platform allows it). */
async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Unsupported on some platforms (Windows); the files themselves are already flushed.
  } finally {
    await fh?.close().catch(() => {});
  }
}
