/**
 * The decoded-pixel cache, so reopening a large folder does not decode it again.
 * One file per (folder, load options) pair, named by a hash of both. Entries are keyed by the path
 * relative to the folder plus the file's size and mtime: a changed file misses and is decoded again,
 * an added one is decoded, a removed one is dropped when the cache is rewritten.
 *
 * Layout: "LOCUSIC1" | u32 LE header length | header JSON {key, per, entries: [rel, size, mtimeMs][]}
 *         | entries.length * per pixel bytes | SHA-256 of everything before.
 * A file is trusted only if the magic, key, sizes and checksum all agree; anything else is ignored
 * (and overwritten by the next write). Writes go to a temporary file, are synced, then renamed.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

const MAGIC = 'LOCUSIC1';
const PREFIX = 12;
const DIGEST = 32;
const CHUNK = 1 << 20;
const MAX_HEADER = 1 << 30;

/** The per-user cache root: $LOCUS_CACHE_DIR, else $XDG_CACHE_HOME/locus, else ~/.cache/locus. */
export function locusCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOCUS_CACHE_DIR) return env.LOCUS_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'locus');
}

/** Where image-folder caches go by default: <cache root>/images, or null (no cache) when LOCUS_CACHE_DIR is 'off'. */
export function defaultImageCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.LOCUS_CACHE_DIR === 'off') return null;
  return join(locusCacheRoot(env), 'images');
}

export function cacheFileName(key: string): string {
  return `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.bin`;
}

export interface CacheEntry {
  rel: string;
  size: number;
  mtimeMs: number;
}

/** What the loader wants from the cache: slot index by relative path, with the size and mtime it has now. */
export type Wanted = Map<string, { slot: number; size: number; mtimeMs: number }>;

export type CacheRead =
  | { status: 'missing' }
  | { status: 'ok'; filled: number[]; entries: number }
  | { status: 'invalid'; reason: string }
  | { status: 'aborted' };

function parseHeader(text: string, key: string, per: number): [string, number, number][] | string {
  let h: unknown;
  try {
    h = JSON.parse(text);
  } catch {
    return 'header is not JSON';
  }
  if (typeof h !== 'object' || h === null) return 'header is not an object';
  const o = h as { key?: unknown; per?: unknown; entries?: unknown };
  if (o.key !== key) return 'made for another folder or other options';
  if (o.per !== per) return 'wrong image size';
  if (!Array.isArray(o.entries)) return 'no entry list';
  for (const e of o.entries) {
    if (!Array.isArray(e) || e.length !== 3 || typeof e[0] !== 'string' || typeof e[1] !== 'number' || typeof e[2] !== 'number') {
      return 'malformed entry';
    }
  }
  return o.entries as [string, number, number][];
}

/**
 * Copy cached images whose path, size and mtime match into `pixels` at their slots. The data is
 * streamed through a small buffer (never the whole file in memory). If the checksum fails at the end,
 * status is 'invalid' and the caller must treat every slot as not filled.
 */
export async function readCache(
  file: string,
  key: string,
  per: number,
  want: Wanted,
  pixels: Uint8Array,
  signal?: AbortSignal,
): Promise<CacheRead> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    return { status: 'invalid', reason: `cannot open: ${(e as Error).message}` };
  }
  try {
    const size = (await fh.stat()).size;
    if (size < PREFIX + DIGEST) return { status: 'invalid', reason: 'too short' };
    const hash = createHash('sha256');
    const prefix = Buffer.alloc(PREFIX);
    await fh.read(prefix, 0, PREFIX, 0);
    if (prefix.toString('latin1', 0, 8) !== MAGIC) return { status: 'invalid', reason: 'not a cache file' };
    const hl = prefix.readUInt32LE(8);
    if (hl > MAX_HEADER || PREFIX + hl + DIGEST > size) return { status: 'invalid', reason: 'bad header length' };
    const head = Buffer.alloc(hl);
    await fh.read(head, 0, hl, PREFIX);
    hash.update(prefix).update(head);
    const entries = parseHeader(head.toString('utf8'), key, per);
    if (typeof entries === 'string') return { status: 'invalid', reason: entries };
    if (size !== PREFIX + hl + entries.length * per + DIGEST) return { status: 'invalid', reason: 'size does not match its header' };

    const filled: number[] = [];
    const recs = Math.max(1, Math.floor(CHUNK / Math.max(1, per)));
    const buf = Buffer.alloc(recs * per);
    let pos = PREFIX + hl;
    for (let j = 0; j < entries.length; j += recs) {
      if (signal?.aborted) return { status: 'aborted' };
      const k = Math.min(recs, entries.length - j);
      const { bytesRead } = await fh.read(buf, 0, k * per, pos);
      if (bytesRead !== k * per) return { status: 'invalid', reason: 'short read' };
      pos += bytesRead;
      hash.update(buf.subarray(0, bytesRead));
      for (let r = 0; r < k; r++) {
        const [rel, sz, mt] = entries[j + r];
        const w = want.get(rel);
        if (w !== undefined && w.size === sz && w.mtimeMs === mt) {
          pixels.set(buf.subarray(r * per, (r + 1) * per), w.slot * per);
          filled.push(w.slot);
        }
      }
    }
    const digest = Buffer.alloc(DIGEST);
    await fh.read(digest, 0, DIGEST, pos);
    if (!hash.digest().equals(digest)) return { status: 'invalid', reason: 'checksum mismatch' };
    return { status: 'ok', filled, entries: entries.length };
  } catch (e) {
    return { status: 'invalid', reason: (e as Error).message };
  } finally {
    await fh.close();
  }
}

let tmpCounter = 0;

/** Write entries and their pixels (entries.length * per bytes, in order) atomically to `file`. */
export async function writeCache(file: string, dir: string, key: string, per: number, entries: CacheEntry[], pixels: Uint8Array): Promise<void> {
  if (pixels.length < entries.length * per) throw new Error('writeCache: pixel array too short');
  await mkdir(dir, { recursive: true });
  const head = Buffer.from(JSON.stringify({ key, per, entries: entries.map((e) => [e.rel, e.size, e.mtimeMs]) }), 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(head.length, 8);
  const body = pixels.subarray(0, entries.length * per);
  const digest = createHash('sha256').update(prefix).update(head).update(body).digest();
  const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    let pos = 0;
    for (const part of [prefix, head, body, digest]) {
      for (let off = 0; off < part.length; ) {
        const { bytesWritten } = await fh.write(part, off, part.length - off, pos);
        off += bytesWritten;
        pos += bytesWritten;
      }
    }
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
