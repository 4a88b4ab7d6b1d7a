/**
 * Writing an export package (PyTorch or any other folder of files) to disk. Every file is first written
 * and flushed under a temporary name (stageFile); only when all of them are on disk are they renamed
 * into place, one right after another, so a process stopped while the package is written leaves the
 * earlier package whole and a failure removes every temporary. Renames follow the package's order; the
 * PyTorch package puts weights.bin before weights.json, whose SHA-256 of the .bin makes a pair from two
 * different exports (a stop in the microseconds between two renames) refused on load, never read wrong.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { stageFile, syncDir, writeFileAtomic, type AtomicSteps, type StagedFile } from '../atomic.js';
import type { PackageFile } from './export.js';

/** The atomic write's steps with its write step replaced by one that writes these bytes. */
function bytesSteps(data: Uint8Array, steps: Partial<AtomicSteps>): Partial<AtomicSteps> {
  return { ...steps, write: (fh) => fh.writeFile(data) };
}

/** Bytes through writeFileAtomic. */
export function writeBytesAtomic(path: string, data: Uint8Array, steps: Partial<AtomicSteps> = {}): Promise<void> {
  return writeFileAtomic(path, '', bytesSteps(data, steps));
}

/** Write the files into `dir` (created if missing); returns the paths and the total bytes. `steps` lets tests fail a disk step. */
export async function writePackage(dir: string, files: readonly PackageFile[], steps: Partial<AtomicSteps> = {}): Promise<{ paths: string[]; bytes: number }> {
  const st = await stat(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (st && !st.isDirectory()) throw new Error(`${dir} is a file; the export writes a folder`);
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  const staged: StagedFile[] = [];
  let bytes = 0;
  try {
    for (const f of files) {
      const path = join(dir, f.name);
      const data = f.data;
      staged.push(typeof data === 'string' ? await stageFile(path, data, steps) : await stageFile(path, '', bytesSteps(data, steps)));
      paths.push(path);
      bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    }
    while (staged.length > 0) await staged[0]!.commit().then(() => staged.shift());
  } catch (e) {
    for (const st of staged) await st.abort();
    throw e;
  }
  await syncDir(dir);
  return { paths, bytes };
}
