/** Skip reasons that used to mislead: a name that is not UTF-8, a valid but extreme PNG, a dangling colon. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { decoderDetail } from './decode.js';
import { loadImageFolder } from './folder.js';

let dir = '';
let png: Buffer;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locus-skips-'));
  png = await sharp({ create: { width: 6, height: 6, channels: 3, background: '#406080' } }).png().toBuffer();
});
after(() => rm(dir, { recursive: true, force: true }));

test('a file whose name is not valid UTF-8 is skipped for that reason, not as "disappeared"', { skip: process.platform !== 'linux' && 'names are bytes on Linux only' }, async () => {
  const root = join(dir, 'names');
  mkdirSync(join(root, 'cats'), { recursive: true });
  writeFileSync(join(root, 'cats', 'ok.png'), png);
  writeFileSync(Buffer.concat([Buffer.from(join(root, 'cats', 'caf')), Buffer.from([0xe9]), Buffer.from('.png')]), png); // Latin-1 "café"
  writeFileSync(join(root, 'cats', 'real-\uFFFD.png'), png); // a valid name that holds U+FFFD itself
  const r = await loadImageFolder(root, { cacheDir: null, width: 4, height: 4 });
  assert.equal(r.set.n, 2);
  assert.deepEqual(
    r.skipped.map((s) => s.reason),
    ['the file name is not valid UTF-8 (rename the file to use it)'],
  );
});

test('a valid PNG too narrow to resize is said to be so, with its size, not "corrupt"', async () => {
  const root = join(dir, 'tall');
  mkdirSync(join(root, 'a'), { recursive: true });
  await sharp({ create: { width: 1, height: 4_000_000, channels: 3, background: '#808080' } }).png().toFile(join(root, 'a', 'tall.png'));
  writeFileSync(join(root, 'a', 'ok.png'), png);
  const r = await loadImageFolder(root, { cacheDir: null, width: 28, height: 28 });
  assert.equal(r.set.n, 1);
  assert.equal(r.skipped.length, 1);
  assert.match(r.skipped[0].reason, /^cannot be resized to 28x28: the image is 1x4000000 pixels \(too large or too narrow\)$/);
});

test('no reason ends in a dangling colon', () => {
  assert.equal(decoderDetail('Input file has corrupt header:\n  jpegload: premature end', 'png'), 'Input file has corrupt header');
  assert.equal(decoderDetail('pngload: libspng read error:', 'png'), 'libspng read error');
  assert.equal(decoderDetail('VipsJpeg: Premature end of input file', 'jpeg'), 'Premature end of input file');
});
