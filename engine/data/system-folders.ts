/**
 * Folders Locus never opens as image folders: the kernel's and devices' pseudo file systems (/proc, /sys,
 * /dev). Reading them is never what a user meant, and through /proc/self/cwd or /proc/<pid>/root they
 * reach files of other processes. Checked on the path as given and on its real path, so a symlink does
 * not get around it; the same check refuses linked subfolders that lead there.
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, resolve, sep } from 'node:path';

export const SYSTEM_FOLDERS: readonly string[] = process.platform === 'win32' ? [] : ['/proc', '/sys', '/dev'];

/** The system folder `abs` lies in (or is), or null. */
export function systemFolderOf(abs: string): string | null {
  for (const s of SYSTEM_FOLDERS) if (abs === s || abs.startsWith(s + sep)) return s;
  return null;
}

/**
 * The system folder that `abs`, any link on the way from it (/proc/self/cwd resolves to an ordinary
 * folder, but through /proc) or its real path lies in, or null.
 */
export async function systemFolderBehind(abs: string): Promise<string | null> {
  let p = abs;
  for (let hop = 0; hop < 40; hop++) {
    const s = systemFolderOf(p) ?? systemFolderOf((await realpath(dirname(p)).catch(() => dirname(p))) + sep + basename(p));
    if (s) return s;
    const st = await lstat(p).catch(() => null);
    if (!st?.isSymbolicLink()) break;
    const target = await readlink(p).catch(() => null);
    if (target === null) break;
    p = resolve(dirname(p), target);
  }
  const real = await realpath(abs).catch(() => null);
  return real === null ? null : systemFolderOf(real);
}

export function systemFolderMessage(abs: string, s: string): string {
  return `${abs} is in ${s}, a system folder; Locus does not open /proc, /sys or /dev as image folders`;
}
