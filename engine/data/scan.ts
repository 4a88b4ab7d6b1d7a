/**
 * Walk an image folder (Keras image_dataset_from_directory layout): each first-level subfolder is a
 * class, images at any depth inside it belong to it, images directly in the root are unlabeled.
 * Hidden names (starting with '.') and OS litter (__MACOSX, Thumbs.db, desktop.ini) are ignored.
 * Symlinks are followed; a folder reached twice (a loop, or two links to it) is walked only once,
 * tracked by device and inode, and a link to a folder above the root (say '..' or '/') is not walked. Entries come out sorted by code point, so the order is stable.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { throwIfAborted } from './abort.js';
import { systemFolderBehind, systemFolderMessage } from './system-folders.js';
import { errnoReason } from './decode.js';
import type { Skipped } from './folder.js';

export interface FileEntry {
  path: string;
  /** Path relative to the root, '/'-separated. */
  rel: string;
  /** Class index, or -1 for an image directly in the root. */
  label: number;
  size: number;
  mtimeMs: number;
}

export interface ScanResult {
  root: string;
  classes: string[];
  files: FileEntry[];
  skipped: Skipped[];
}

const IGNORED = new Set(['__MACOSX', 'Thumbs.db', 'desktop.ini']);

export const isIgnoredName = (name: string): boolean => name.startsWith('.') || IGNORED.has(name);

/** Code point order (what Python's sorted() gives), independent of locale. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx - cy;
  }
}

interface Entry {
  name: string;
  path: string;
  link: boolean;
  st: Stats | null;
  err: unknown;
}

const STAT_BATCH = 64;
const NOT_UTF8 = Symbol('name not UTF-8');

async function listDir(dir: string, signal: AbortSignal | undefined): Promise<Entry[]> {
  const dirents = await readdir(dir, { withFileTypes: true });
  const names = dirents.filter((d) => !isIgnoredName(d.name)).sort((a, b) => compareCodePoints(a.name, b.name));
  const out: Entry[] = names.map((d) => ({ name: d.name, path: join(dir, d.name), link: d.isSymbolicLink(), st: null, err: null }));
  // A name that is not valid UTF-8 comes back with U+FFFD in place of its bytes, so that path does not
  // exist; find those from the raw names and give the right reason instead of "disappeared".
  const undecodable = new Set<string>();
  if (names.some((d) => d.name.includes('\uFFFD'))) {
    for (const raw of await readdir(dir, { encoding: 'buffer' })) {
      const s = raw.toString('utf8');
      if (!Buffer.from(s, 'utf8').equals(raw)) undecodable.add(s);
    }
  }
  for (const e of out) if (undecodable.has(e.name)) e.err = NOT_UTF8;
  for (let i = 0; i < out.length; i += STAT_BATCH) {
    throwIfAborted(signal);
    await Promise.all(
      out.slice(i, i + STAT_BATCH).map(async (e) => {
        if (e.err === NOT_UTF8) return;
        try {
          e.st = await stat(e.path);
        } catch (err) {
          e.err = err;
        }
      }),
    );
  }
  return out;
}

function linkReason(e: Entry): string {
  if (e.err === NOT_UTF8) return 'the file name is not valid UTF-8 (rename the file to use it)';
  const code = (e.err as NodeJS.ErrnoException | null)?.code;
  if (e.link && code === 'ENOENT') return 'broken symlink';
  if (e.link && code === 'ELOOP') return 'symlink loop';
  return errnoReason(e.err);
}

export async function scanFolder(
  dir: string,
  opts: { signal?: AbortSignal; onFound?: (files: number) => void } = {},
): Promise<ScanResult> {
  const root = resolve(dir);
  let rootStat: Stats;
  try {
    rootStat = await stat(root);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`image folder not found: ${root}`);
    throw new Error(`cannot open image folder ${root}: ${errnoReason(e)}`);
  }
  if (!rootStat.isDirectory()) throw new Error(`not a folder: ${root}`);
  const system = await systemFolderBehind(root);
  if (system) throw new Error(systemFolderMessage(root, system));

  const visited = new Set<string>([`${rootStat.dev}:${rootStat.ino}`]);
  const realRoot = await realpath(root);
  /** A linked folder that contains the root (say a link to '..' or '/') would walk far outside it. */
  const containsRoot = async (p: string): Promise<boolean> => {
    try {
      const real = await realpath(p);
      return real === realRoot || realRoot.startsWith(real.endsWith(sep) ? real : real + sep);
    } catch {
      return false;
    }
  };
  const classes: string[] = [];
  const files: FileEntry[] = [];
  const skipped: Skipped[] = [];

  const walk = async (abs: string, rel: string, label: number): Promise<void> => {
    throwIfAborted(opts.signal);
    let entries: Entry[];
    try {
      entries = await listDir(abs, opts.signal);
    } catch (e) {
      if (abs === root) throw new Error(`cannot read image folder ${root}: ${errnoReason(e)}`);
      skipped.push({ path: abs, reason: `folder ${errnoReason(e)}` });
      return;
    }
    for (const e of entries) {
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.st === null) {
        skipped.push({ path: e.path, reason: linkReason(e) });
      } else if (e.st.isDirectory()) {
        const id = `${e.st.dev}:${e.st.ino}`;
        if (visited.has(id)) {
          skipped.push({ path: e.path, reason: 'folder already included (symlink loop or second link)' });
          continue;
        }
        if (e.link && (await containsRoot(e.path))) {
          skipped.push({ path: e.path, reason: 'symlink to a folder that contains the image folder' });
          continue;
        }
        if (e.link && (await systemFolderBehind(e.path))) {
          skipped.push({ path: e.path, reason: 'symlink to a system folder (/proc, /sys or /dev)' });
          continue;
        }
        visited.add(id);
        let childLabel = label;
        if (abs === root) {
          childLabel = classes.length;
          classes.push(e.name);
        }
        await walk(e.path, childRel, childLabel);
      } else if (e.st.isFile()) {
        files.push({ path: e.path, rel: childRel, label, size: e.st.size, mtimeMs: e.st.mtimeMs });
        opts.onFound?.(files.length);
      } else {
        skipped.push({ path: e.path, reason: 'not a regular file' });
      }
    }
  };
  await walk(root, '', -1);
  return { root, classes, files, skipped };
}
