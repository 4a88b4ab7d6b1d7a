import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { loadImageFile, loadImageFolder, summarizeSkipped, type LoadResult } from './folder.js';
import { permissionsIgnored, raw, tempDir, writeGray, writeImage } from './testkit.js';

/**
 * One deliberately messy folder, loaded once:
 *   root/
 *     loose.png, 'ünïcödé 画像.png'   unlabeled (root level)
 *     notes.txt                         not an image
 *     .DS_Store, .hidden/x.png          hidden: ignored, not reported
 *     __MACOSX/                         OS litter: ignored
 *     cats/ a.png, deep/er/b.png, c.webp, empty.png (0 bytes), fake.jpg (text), trunc.png, corrupt.jpg,
 *           huge.png (over the small pixel limit of the test), pic.bmp, loop -> .. (symlink loop), dangling -> nowhere
 *     dogs/ d.png, link-to-file.png -> ../cats/a.png, locked.png (mode 000), up -> root/.. (above the root)
 *     émoji_🐱/ e.png
 *     zebras/ (empty class)
 */
let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let r: LoadResult;
const MAX_PIXELS = 70 * 70;

before(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeGray(join(dir, 'loose.png'), 11);
  await writeGray(join(dir, 'ünïcödé 画像.png'), 12);
  await writeFile(join(dir, 'notes.txt'), 'some notes about the data\n');
  await writeFile(join(dir, '.DS_Store'), Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
  await writeGray(join(dir, '.hidden', 'x.png'), 13);
  await writeGray(join(dir, '__MACOSX', 'cats', 'a.png'), 14);

  const cats = join(dir, 'cats');
  await writeGray(join(cats, 'a.png'), 21);
  await writeGray(join(cats, 'deep', 'er', 'b.png'), 22);
  await writeImage(join(cats, 'c.webp'), raw(4, 4, 1, () => 23), 4, 4, 1, (s) => s.webp({ lossless: true }));
  await writeGray(join(cats, '.x.png'), 24); // hidden file
  await writeFile(join(cats, 'empty.png'), Buffer.alloc(0));
  await writeFile(join(cats, 'fake.jpg'), 'this is not a JPEG at all\n');
  const png = await sharp(raw(64, 64, 3, (x, y, c) => (x * 3 + y * 5 + c * 50) & 255), { raw: { width: 64, height: 64, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  await writeFile(join(cats, 'trunc.png'), png.subarray(0, png.length >> 1));
  const jpg = await sharp(raw(64, 64, 3, (x, y, c) => (x * 7 + y * 3 + c * 40) & 255), { raw: { width: 64, height: 64, channels: 3 } })
    .jpeg()
    .toBuffer();
  const bad = Buffer.from(jpg);
  for (let i = 700; i < bad.length - 4; i += 5) bad[i] ^= 0x5a; // scramble the entropy-coded data
  await writeFile(join(cats, 'corrupt.jpg'), bad);
  await writeImage(join(cats, 'huge.png'), raw(80, 80, 1, () => 9), 80, 80, 1, (s) => s.png()); // 6400 px > 4900
  await writeFile(join(cats, 'pic.bmp'), Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]));
  await symlink('..', join(cats, 'loop'));
  await symlink(join(dir, 'nowhere'), join(cats, 'dangling'));

  const dogs = join(dir, 'dogs');
  await writeGray(join(dogs, 'd.png'), 31);
  await symlink(join(cats, 'a.png'), join(dogs, 'link-to-file.png'));
  await writeGray(join(dogs, 'locked.png'), 32);
  await chmod(join(dogs, 'locked.png'), 0o000);
  await symlink(join(dir, '..'), join(dogs, 'up'));

  await writeGray(join(dir, 'émoji_🐱', 'e.png'), 41);
  await mkdir(join(dir, 'zebras'));

  r = await loadImageFolder(dir, { cacheDir: null, maxPixels: MAX_PIXELS });
});
after(() => cleanup());

const reasonOf = (rel: string): string | undefined => r.skipped.find((s) => s.path === join(dir, rel))?.reason;
const valueOf = (rel: string): number => {
  const i = r.set.paths.indexOf(join(dir, rel));
  assert.ok(i >= 0, `${rel} was loaded`);
  return r.set.pixels[i * 28 * 28];
};

describe('a messy folder', () => {
  it('classes are the first-level folders, sorted by code point, empty ones kept', () => {
    assert.deepEqual(r.set.classes, ['cats', 'dogs', 'zebras', 'émoji_🐱']);
  });

  it('loads every usable image with the right label, at any depth', () => {
    const label = (rel: string): number => r.set.labels[r.set.paths.indexOf(join(dir, rel))];
    assert.equal(label('cats/a.png'), 0);
    assert.equal(label('cats/deep/er/b.png'), 0);
    assert.equal(label('cats/c.webp'), 0);
    assert.equal(label('dogs/d.png'), 1);
    assert.equal(label('dogs/link-to-file.png'), 1, 'a symlinked file is followed');
    assert.equal(label('émoji_🐱/e.png'), 3);
    assert.equal(label('loose.png'), -1);
    assert.equal(label('ünïcödé 画像.png'), -1);
    assert.equal(valueOf('cats/deep/er/b.png'), 22);
    assert.equal(valueOf('émoji_🐱/e.png'), 41);
    assert.equal(valueOf('ünïcödé 画像.png'), 12);
    assert.equal(valueOf('dogs/link-to-file.png'), 21);
  });

  it('counts per class and unlabeled agree with the labels', () => {
    const locked = permissionsIgnored ? 1 : 0;
    assert.deepEqual(r.counts, [3, 2 + locked, 0, 1]);
    assert.equal(r.unlabeled, 2);
    assert.equal(r.set.n, 8 + locked);
    assert.equal(r.set.pixels.length, r.set.n * 28 * 28);
    assert.equal(r.set.labels.length, r.set.n);
    assert.equal(r.set.paths.length, r.set.n);
  });

  it('hidden files, hidden folders and __MACOSX are ignored and not reported', () => {
    for (const p of [...r.set.paths, ...r.skipped.map((s) => s.path)]) {
      assert.ok(!/\/\.|__MACOSX/.test(p.slice(dir.length)), `${p} should be ignored`);
    }
  });

  it('every unusable file is reported with a clear reason', () => {
    assert.equal(reasonOf('notes.txt'), 'not an image: text file');
    assert.equal(reasonOf('cats/empty.png'), 'empty file (0 bytes)');
    assert.equal(reasonOf('cats/fake.jpg'), 'not an image: text file (despite the .jpg name)');
    assert.match(reasonOf('cats/trunc.png') ?? '', /^corrupt or truncated PNG/);
    assert.match(reasonOf('cats/corrupt.jpg') ?? '', /^corrupt or truncated JPEG/);
    assert.equal(reasonOf('cats/huge.png'), 'over the pixel limit: 80x80 (6400 px) > 4900 px');
    assert.match(reasonOf('cats/pic.bmp') ?? '', /^unsupported format BMP/);
    assert.equal(reasonOf('cats/loop'), 'folder already included (symlink loop or second link)');
    assert.equal(reasonOf('cats/dangling'), 'broken symlink');
    assert.equal(reasonOf('dogs/up'), 'symlink to a folder that contains the image folder');
  });

  it('unreadable files are reported', (t) => {
    if (permissionsIgnored) {
      t.skip('running as root: file permissions do not apply, so a mode-000 file is readable');
      return;
    }
    assert.equal(reasonOf('dogs/locked.png'), 'unreadable: permission denied');
  });

  it('the skipped list holds exactly the unusable files, sorted by path', () => {
    const expected = ['notes.txt', 'cats/empty.png', 'cats/fake.jpg', 'cats/trunc.png', 'cats/corrupt.jpg', 'cats/huge.png', 'cats/pic.bmp', 'cats/loop', 'cats/dangling', 'dogs/up'];
    if (!permissionsIgnored) expected.push('dogs/locked.png');
    assert.deepEqual(
      r.skipped.map((s) => s.path),
      expected.map((e) => join(dir, e)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });

  it('files are in a stable order: a second load gives the same paths and pixels', async () => {
    const again = await loadImageFolder(dir, { cacheDir: null, maxPixels: MAX_PIXELS });
    assert.deepEqual(again.set.paths, r.set.paths);
    assert.deepEqual(again.set.pixels, r.set.pixels);
    // the decoder's detail text may differ between runs (libvips shares one error buffer between threads)
    const brief = (x: LoadResult) => x.skipped.map((k) => `${k.path}: ${k.reason.replace(/^(corrupt or truncated \w+).*$/, '$1')}`);
    assert.deepEqual(brief(again), brief(r));
  });
});

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(16))), chunk('IEND', Buffer.alloc(0))]);
}

describe('single files and summaries', () => {
  it('loadImageFile decodes one file like the folder loader, or throws the same reason', async () => {
    const px = await loadImageFile(join(dir, 'cats', 'a.png'), { width: 4, height: 4 });
    assert.deepEqual([...px], new Array(16).fill(21));
    await assert.rejects(loadImageFile(join(dir, 'cats', 'fake.jpg')), { name: 'SkipError', message: 'not an image: text file (despite the .jpg name)' });
    await assert.rejects(loadImageFile(join(dir, 'cats')), { name: 'SkipError', message: 'a folder, not an image file' });
    await assert.rejects(loadImageFile(join(dir, 'nope.png')), { name: 'SkipError', message: 'no such file' });
  });

  it('loadImageFile names a symlink loop, a broken link and a name whose bytes were not UTF-8 in words', async () => {
    const d = await mkdtemp(join(tmpdir(), 'locus-single-'));
    try {
      await symlink('loop-b.png', join(d, 'loop-a.png'));
      await symlink('loop-a.png', join(d, 'loop-b.png'));
      await symlink(join(d, 'gone.png'), join(d, 'dangling.png'));
      await assert.rejects(loadImageFile(join(d, 'loop-a.png')), { name: 'SkipError', message: 'symlink loop' });
      await assert.rejects(loadImageFile(join(d, 'dangling.png')), { name: 'SkipError', message: 'broken symlink' });
      await assert.rejects(loadImageFile(join(d, 'caf\uFFFD.png')), {
        name: 'SkipError',
        message: 'no such file (a file name that is not valid UTF-8 cannot be given here: rename the file to use it)',
      });
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });

  it('summarizeSkipped groups reasons by kind', () => {
    const sum = summarizeSkipped([
      { path: '/a', reason: 'not an image: text file' },
      { path: '/b', reason: 'corrupt or truncated PNG: libpng read error' },
      { path: '/c', reason: 'not an image: unknown file type (despite the .png name)' },
      { path: '/d', reason: 'over the pixel limit: 80x80 (6400 px) > 4900 px' },
    ]);
    assert.deepEqual(sum, [
      { kind: 'not an image', count: 2, example: '/a' },
      { kind: 'corrupt or truncated PNG', count: 1, example: '/b' },
      { kind: 'over the pixel limit', count: 1, example: '/d' },
    ]);
  });
});

describe('pixel limit', () => {
  it('an image over the limit is refused from its header, with its size and the limit', async () => {
    const { dir: d, cleanup: c } = await tempDir();
    try {
      // A PNG whose header says 12000 x 9000 (108 MP) and which holds 16 bytes of pixel data: decoding it would
      // fail as corrupt, so the reason below shows that the header check came first.
      await writeFile(join(d, 'big.png'), pngHeaderOnly(12000, 9000));
      await writeGray(join(d, 'ok.png'), 5);
      const res = await loadImageFolder(d, { cacheDir: null });
      assert.equal(res.set.n, 1);
      assert.deepEqual(res.skipped, [{ path: join(d, 'big.png'), reason: 'over the pixel limit: 12000x9000 (108.0 MP) > 64.0 MP' }]);
    } finally {
      await c();
    }
  });
});

describe('folder errors', () => {
  it('a missing folder or a file instead of a folder throws a clear error', async () => {
    await assert.rejects(loadImageFolder(join(dir, 'no-such-folder'), { cacheDir: null }), /image folder not found/);
    await assert.rejects(loadImageFolder(join(dir, 'notes.txt'), { cacheDir: null }), /not a folder/);
  });

  it('bad options are refused with the option named', async () => {
    await assert.rejects(loadImageFolder(dir, { width: 0 }), /width must be an integer from 1/);
    await assert.rejects(loadImageFolder(dir, { channels: 2 as never }), /channels must be 1 or 3/);
    await assert.rejects(loadImageFolder(dir, { fit: 'stretch' as never }), /fit must be/);
    await assert.rejects(loadImageFolder(dir, { background: 300 }), /background\[0\]/);
    await assert.rejects(loadImageFolder(dir, { maxPixels: 0 }), /maxPixels/);
  });

  it('a folder with only root images gives no classes, all unlabeled', async () => {
    const { dir: d, cleanup: c } = await tempDir();
    try {
      await writeGray(join(d, 'a.png'), 1);
      await writeGray(join(d, 'b.png'), 2);
      const res = await loadImageFolder(d, { cacheDir: null });
      assert.deepEqual(res.set.classes, []);
      assert.deepEqual([...res.set.labels], [-1, -1]);
      assert.equal(res.unlabeled, 2);
    } finally {
      await c();
    }
  });

  it('an empty folder gives an empty set', async () => {
    const { dir: d, cleanup: c } = await tempDir();
    try {
      const res = await loadImageFolder(d, { cacheDir: null });
      assert.equal(res.set.n, 0);
      assert.equal(res.set.pixels.length, 0);
    } finally {
      await c();
    }
  });

  it('a FIFO is reported as not a regular file and does not hang the load', async (t) => {
    const { dir: d, cleanup: c } = await tempDir();
    try {
      try {
        execFileSync('mkfifo', [join(d, 'pipe.png')]);
      } catch {
        t.skip('mkfifo is not available here');
        return;
      }
      await writeGray(join(d, 'a.png'), 1);
      const res = await loadImageFolder(d, { cacheDir: null });
      assert.equal(res.set.n, 1);
      assert.deepEqual(res.skipped, [{ path: join(d, 'pipe.png'), reason: 'not a regular file' }]);
    } finally {
      await c();
    }
  });
});
