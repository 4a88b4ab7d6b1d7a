/**
 * Writing an export package (PyTorch or any other folder of files) to disk. Every file goes through
 * writeFileAtomic (a flushed temporary file renamed into place, removed on failure), so no file is ever
 * half written and no temporary is left behind. Files are written in the package's order; the PyTorch
 * package puts weights.bin before weights.json, whose SHA-256 of the .bin makes a pair from two
 * different exports (a crash between the two renames) refused on load rather than read wrong.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, type AtomicSteps } from '../atomic.js';
import type { PackageFile } from './export.js';

/** Bytes through writeFileAtomic: its write step is replaced by one that writes the bytes. */
export function writeBytesAtomic(path: string, data: Uint8Array, steps: Partial<AtomicSteps> = {}): Promise<void> {
  return writeFileAtomic(path, '', { ...steps, write: (fh) => fh.writeFile(data) });
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
  let bytes = 0;
  for (const f of files) {
    const path = join(dir, f.name);
    if (typeof f.data === 'string') await writeFileAtomic(path, f.data, steps);
    else await writeBytesAtomic(path, f.data, steps);
    paths.push(path);
    bytes += typeof f.data === 'string' ? Buffer.byteLength(f.data) : f.data.byteLength;
  }
  return { paths, bytes };
}
