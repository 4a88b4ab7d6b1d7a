import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { LabError, type Listing } from '../../protocol/contract.js';
import { systemFolderBehind, systemFolderMessage, systemFolderOf } from '../../data/system-folders.js';
import type { Handlers } from '../server.js';

/** Extensions the folder browser counts as images (what the loader decodes through sharp). */
const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff']);
const MAX_ENTRIES = 5000;
/** Sub-folders whose images are counted (each is read once more); past this the count is left out. */
const MAX_COUNTED = 500;

/** Image files directly in a folder, or undefined when it cannot be read. */
async function countImages(dir: string): Promise<number | undefined> {
  try {
    const items = await readdir(dir, { withFileTypes: true });
    let n = 0;
    for (const it of items) if (!it.name.startsWith('.') && !it.isDirectory() && IMAGE_EXT.has(extname(it.name).toLowerCase())) n++;
    return n;
  } catch {
    return undefined;
  }
}

export async function listFolder(path: string | undefined): Promise<Listing> {
  const home = homedir();
  const dir = path === undefined ? home : path;
  if (!isAbsolute(dir)) throw new LabError({ message: `not an absolute path: ${dir}`, code: 'invalid' });
  const abs = resolve(dir);
  const system = await systemFolderBehind(abs);
  if (system) throw new LabError({ message: systemFolderMessage(abs, system), code: 'invalid' });
  let items;
  try {
    items = await readdir(abs, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
    throw new LabError({ message: `${abs}: ${why}`, code: 'failed' });
  }
  const dirs: string[] = [];
  const files: string[] = [];
  for (const it of items) {
    if (it.name.startsWith('.') || systemFolderOf(join(abs, it.name))) continue;
    let isDir = it.isDirectory();
    if (it.isSymbolicLink()) isDir = await stat(join(abs, it.name)).then((s) => s.isDirectory(), () => false);
    if (isDir) dirs.push(it.name);
    else if (IMAGE_EXT.has(extname(it.name).toLowerCase())) files.push(it.name);
  }
  const byName = (a: string, b: string): number => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
  dirs.sort(byName);
  files.sort(byName);
  // Sub-folders' image counts, a few reads at a time.
  const counts: (number | undefined)[] = new Array(dirs.length);
  for (let i = 0; i < Math.min(dirs.length, MAX_COUNTED); i += 16) {
    const batch = dirs.slice(i, Math.min(i + 16, MAX_COUNTED));
    (await Promise.all(batch.map((d) => countImages(join(abs, d))))).forEach((c, k) => (counts[i + k] = c));
  }
  const entries = [
    ...dirs.map((name, i) => (counts[i] === undefined ? { name, dir: true } : { name, dir: true, images: counts[i] })),
    ...files.map((name) => ({ name, dir: false })),
  ];
  const parent = dirname(abs);
  return {
    path: abs,
    parent: parent === abs || basename(abs) === '' ? null : parent,
    home,
    entries: entries.slice(0, MAX_ENTRIES),
    images: files.length,
    truncated: entries.length > MAX_ENTRIES,
  };
}

export const fsHandlers = {
  'fs.list': (p) => listFolder(p.path),
} satisfies Partial<Handlers>;
