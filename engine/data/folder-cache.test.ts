import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { locusCacheRoot, defaultImageCacheDir } from './cache.js';
import { loadImageFolder, type LoadOptions } from './folder.js';
import type { LoadProgress } from './progress.js';
import { tempDir, writeGray } from './testkit.js';

let base = '';
let cleanup: () => Promise<void> = async () => undefined;
before(async () => ({ dir: base, cleanup } = await tempDir()));
after(() => cleanup());

let serial = 0;
/** A fresh folder of n gray images (value = 10 + index) in classes a and b, and its own cache folder. */
async function fixture(n: number): Promise<{ dir: string; cacheDir: string; opts: LoadOptions }> {
  const k = serial++;
  const dir = join(base, `folder${k}`);
  const cacheDir = join(base, `cache${k}`);
  for (let i = 0; i < n; i++) await writeGray(join(dir, i % 2 ? 'b' : 'a', `${String(i).padStart(3, '0')}.png`), 10 + i);
  return { dir, cacheDir, opts: { cacheDir, width: 4, height: 4 } };
}


describe('cache', () => {
  it('a reload takes every image from the cache, identical to a fresh decode', async () => {
    const { dir, cacheDir, opts } = await fixture(6);
    const first = await loadImageFolder(dir, opts);
    assert.equal(first.cacheHits, 0);
    assert.equal(first.cache.written, true);
    assert.deepEqual(await readdir(cacheDir), [first.cache.file!.slice(cacheDir.length + 1)], 'one cache file, no temporaries left');
    const second = await loadImageFolder(dir, opts);
    assert.equal(second.cacheHits, 6);
    assert.equal(second.cache.written, false, 'nothing changed, nothing rewritten');
    assert.deepEqual(second.set, first.set);
    const fresh = await loadImageFolder(dir, { ...opts, cacheDir: null });
    assert.deepEqual(second.set.pixels, fresh.set.pixels);
  });

  it('a changed file is decoded again, an added one decoded, a removed one dropped', async () => {
    const { dir, opts } = await fixture(6);
    await loadImageFolder(dir, opts);
    const changed = join(dir, 'a', '002.png');
    const before = await stat(changed);
    await writeGray(changed, 200);
    await utimes(changed, before.atime, new Date(before.mtimeMs + 5000)); // make sure the mtime moves
    await writeGray(join(dir, 'b', '777.png'), 77);
    await rm(join(dir, 'b', '005.png'));
    const r = await loadImageFolder(dir, opts);
    assert.equal(r.cacheHits, 4, 'the four untouched files come from the cache');
    assert.equal(r.cache.written, true);
    const value = (rel: string): number => r.set.pixels[r.set.paths.indexOf(join(dir, rel)) * 16];
    assert.equal(value('a/002.png'), 200);
    assert.equal(value('b/777.png'), 77);
    assert.ok(!r.set.paths.includes(join(dir, 'b', '005.png')));
    const again = await loadImageFolder(dir, opts);
    assert.equal(again.cacheHits, 6);
    assert.deepEqual(again.set.pixels, r.set.pixels);
  });

  it('a same-size rewrite with a new mtime is noticed', async () => {
    const { dir, opts } = await fixture(2);
    await loadImageFolder(dir, opts);
    const f = join(dir, 'a', '000.png');
    const st = await stat(f);
    await writeGray(f, 99); // same dimensions, same encoder: likely the same size
    await utimes(f, st.atime, new Date(st.mtimeMs + 2000));
    const r = await loadImageFolder(dir, opts);
    assert.equal(r.cacheHits, 1);
    assert.equal(r.set.pixels[r.set.paths.indexOf(f) * 16], 99);
  });

  it('a corrupt cache file is ignored with a warning, and replaced', async () => {
    const { dir, opts } = await fixture(4);
    const first = await loadImageFolder(dir, opts);
    const file = first.cache.file!;
    const bytes = await readFile(file);
    // flip one pixel byte: the sizes still agree, only the checksum can tell
    bytes[bytes.length - 40] ^= 0xff;
    await writeFile(file, bytes);
    const r = await loadImageFolder(dir, opts);
    assert.equal(r.cacheHits, 0);
    assert.match(r.cache.warning ?? '', /checksum mismatch/);
    assert.deepEqual(r.set.pixels, first.set.pixels, 'pixels come from decoding, not the damaged cache');
    assert.equal(r.cache.written, true);
    const again = await loadImageFolder(dir, opts);
    assert.equal(again.cacheHits, 4);
    assert.equal(again.cache.warning, undefined);
  });

  for (const [what, damage] of [
    ['truncated', (b: Buffer) => b.subarray(0, b.length - 100)],
    ['garbage', (b: Buffer) => Buffer.alloc(b.length, 7)],
    ['empty', () => Buffer.alloc(0)],
    ['a huge header length', (b: Buffer) => (b.writeUInt32LE(0xfffffff0, 8), b)],
  ] as const) {
    it(`a ${what} cache file is ignored`, async () => {
      const { dir, opts } = await fixture(3);
      const first = await loadImageFolder(dir, opts);
      await writeFile(first.cache.file!, damage(await readFile(first.cache.file!)));
      const r = await loadImageFolder(dir, opts);
      assert.equal(r.cacheHits, 0);
      assert.ok(r.cache.warning, 'says why the cache was ignored');
      assert.deepEqual(r.set.pixels, first.set.pixels);
    });
  }

  it('other load options use another cache file', async () => {
    const { dir, opts } = await fixture(3);
    const a = await loadImageFolder(dir, opts);
    const b = await loadImageFolder(dir, { ...opts, width: 5 });
    assert.notEqual(a.cache.file, b.cache.file);
    assert.equal(b.cacheHits, 0);
    assert.equal(b.set.pixels.length, 3 * 20);
  });

  it('cacheDir null writes nothing', async () => {
    const { dir, cacheDir, opts } = await fixture(2);
    const r = await loadImageFolder(dir, { ...opts, cacheDir: null });
    assert.equal(r.cache.file, null);
    await assert.rejects(readdir(cacheDir), { code: 'ENOENT' });
  });

  it('an unwritable cache location does not fail the load', async () => {
    const { dir, opts } = await fixture(2);
    const blocker = join(base, `blocker${serial++}`);
    await writeFile(blocker, 'a file where the cache folder should be');
    const r = await loadImageFolder(dir, { ...opts, cacheDir: join(blocker, 'cache') });
    assert.equal(r.set.n, 2);
    assert.equal(r.cache.written, false);
    assert.match(r.cache.warning ?? '', /could not write the cache file/);
  });

  it('the default folder follows LOCUS_CACHE_DIR (off: none), then XDG_CACHE_HOME, then ~/.cache/locus', () => {
    assert.equal(locusCacheRoot({ LOCUS_CACHE_DIR: '/x/locus-cache', XDG_CACHE_HOME: '/y' }), '/x/locus-cache');
    assert.equal(locusCacheRoot({ XDG_CACHE_HOME: '/y' }), '/y/locus');
    assert.match(locusCacheRoot({}), /\.cache\/locus$/);
    assert.equal(defaultImageCacheDir({ XDG_CACHE_HOME: '/y' }), '/y/locus/images');
    assert.equal(defaultImageCacheDir({ LOCUS_CACHE_DIR: 'off' }), null, "'off' disables the cache");
  });
});

describe('progress and cancellation', () => {
  it('reports scan then decode, counts never go down, the last event is complete', async () => {
    const { dir, opts } = await fixture(12);
    const events: LoadProgress[] = [];
    await loadImageFolder(dir, { ...opts, cacheDir: null, onProgress: (p) => events.push({ ...p }) });
    assert.ok(events.length >= 4);
    const phases = events.map((e) => e.phase);
    assert.equal(phases[0], 'scan');
    assert.equal(phases.at(-1), 'decode');
    assert.equal(phases.lastIndexOf('scan') < phases.indexOf('decode'), true, 'scan events all come first');
    const decode = events.filter((e) => e.phase === 'decode');
    for (let i = 1; i < decode.length; i++) assert.ok(decode[i].done >= decode[i - 1].done);
    assert.deepEqual(events.filter((e) => e.phase === 'scan').at(-1), { phase: 'scan', done: 12, total: 12 });
    assert.deepEqual(decode.at(-1), { phase: 'decode', done: 12, total: 12, cached: 0 });
  });

  it('cached images are counted in progress', async () => {
    const { dir, opts } = await fixture(5);
    await loadImageFolder(dir, opts);
    const events: LoadProgress[] = [];
    await loadImageFolder(dir, { ...opts, onProgress: (p) => events.push({ ...p }) });
    assert.deepEqual(events.at(-1), { phase: 'decode', done: 5, total: 5, cached: 5 });
  });

  it('an already aborted signal rejects with AbortError before any work', async () => {
    const { dir, opts } = await fixture(2);
    const ac = new AbortController();
    ac.abort();
    let events = 0;
    await assert.rejects(loadImageFolder(dir, { ...opts, signal: ac.signal, onProgress: () => events++ }), { name: 'AbortError' });
    assert.equal(events, 0);
  });

  it('aborting during the scan rejects with AbortError before any decoding', async () => {
    const { dir, opts } = await fixture(6);
    const ac = new AbortController();
    const phases: string[] = [];
    const p = loadImageFolder(dir, {
      ...opts,
      progressIntervalMs: 0,
      signal: ac.signal,
      onProgress: (e) => {
        phases.push(e.phase);
        if (e.phase === 'scan' && e.done === 1) ac.abort(); // the first file found, in folder a
      },
    });
    await assert.rejects(p, { name: 'AbortError' });
    assert.ok(!phases.includes('decode'));
  });

  it('aborting during decoding rejects with AbortError and writes no cache', async () => {
    const { dir, cacheDir, opts } = await fixture(40);
    const ac = new AbortController();
    const seen: LoadProgress[] = [];
    const p = loadImageFolder(dir, {
      ...opts,
      concurrency: 2,
      progressIntervalMs: 0,
      signal: ac.signal,
      onProgress: (e) => {
        seen.push({ ...e });
        if (e.phase === 'decode' && e.done === 5) ac.abort();
      },
    });
    await assert.rejects(p, (e: unknown) => e instanceof Error && e.name === 'AbortError');
    const last = seen.at(-1)!;
    assert.equal(last.phase, 'decode');
    assert.ok(last.done >= 5 && last.done <= 7, `stopped right away (the ${last.done - 5} decodes in flight finish), not at ${last.done}`);
    await assert.rejects(readdir(cacheDir), { code: 'ENOENT' });
  });
});
