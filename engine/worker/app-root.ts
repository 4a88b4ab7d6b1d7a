/**
 * Where the app's own files are, from wherever the engine runs: engine/worker/*.ts under tsx, the
 * bundle at dist/engine/worker.js, or inside a packaged app (resources/app.asar/dist/engine/worker.js,
 * whose native readers need the unpacked copy next to it: app.asar.unpacked).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

/** The folder holding the app's package.json (the first one up from this file that names "locus"). */
export function appRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'locus') return (cached = dir);
      } catch {
        // not ours (or unreadable): keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('locus engine: cannot find the app folder (no package.json named "locus" above it)');
    dir = up;
  }
}

export function appVersion(): string {
  const v = (JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version;
  return typeof v === 'string' ? v : '0.0.0';
}

/** A path under the app folder, preferring the unpacked copy when the app is packed into an asar. */
export function appFile(...parts: string[]): string {
  const p = join(appRoot(), ...parts);
  const unpacked = p.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
  return unpacked !== p && existsSync(unpacked) ? unpacked : p;
}
