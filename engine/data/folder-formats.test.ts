import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { loadImageFolder, type LoadOptions } from './folder.js';
import { raw, raw16, tempDir, writeImage } from './testkit.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

let serial = 0;
/** Load one file placed alone in a fresh folder; returns its pixels (CHW) or the skip reason. */
async function loadOne(write: (path: string) => Promise<void>, name: string, opts: LoadOptions = {}) {
  const sub = join(dir, `case${serial++}`);
  await write(join(sub, name));
  const r = await loadImageFolder(sub, { cacheDir: null, ...opts });
  return { pixels: r.set.pixels, n: r.set.n, skipped: r.skipped, set: r.set };
}

function near(actual: Uint8Array, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}: value ${i} is ${actual[i]}, expected ${expected[i]} +- ${tol}`);
  }
}

// a 4x3 RGB test card, distinct values everywhere
const W = 4;
const H = 3;
const card = raw(W, H, 3, (x, y, c) => 20 + 60 * c + 12 * x + 40 * y);
const cardPlanar = (): number[] => {
  const out: number[] = [];
  for (let c = 0; c < 3; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out.push(card[(y * W + x) * 3 + c]);
  return out;
};
const luma = (r: number, g: number, b: number): number => Math.round((299 * r + 587 * g + 114 * b) / 1000);

describe('formats, exact where the format is lossless', () => {
  const lossless: [string, string, (s: Sharp) => Sharp][] = [
    ['PNG', 'a.png', (s) => s.png()],
    ['WebP lossless', 'a.webp', (s) => s.webp({ lossless: true })],
    ['TIFF (LZW)', 'a.tif', (s) => s.tiff({ compression: 'lzw' })],
    ['GIF', 'a.gif', (s) => s.gif({ dither: 0 })],
  ];
  for (const [what, name, enc] of lossless) {
    it(`${what} loads as RGB pixel-exact`, async () => {
      const r = await loadOne((p) => writeImage(p, card, W, H, 3, enc), name, { width: W, height: H, channels: 3 });
      assert.deepEqual(r.skipped, []);
      near(r.pixels, cardPlanar(), 0, what);
    });
  }

  it('JPEG loads close to the original', async () => {
    // 8x8 blocks of one colour survive JPEG at quality 100 almost unchanged
    const big = raw(16, 16, 3, (x, y, c) => [40, 120, 200][c] + (x >= 8 ? 30 : 0) + (y >= 8 ? -30 : 0));
    const r = await loadOne(
      (p) => writeImage(p, big, 16, 16, 3, (s) => s.jpeg({ quality: 100, chromaSubsampling: '4:4:4' })),
      'a.jpg',
      { width: 16, height: 16, channels: 3 },
    );
    const expected: number[] = [];
    for (let c = 0; c < 3; c++) for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) expected.push(big[(y * 16 + x) * 3 + c]);
    near(r.pixels, expected, 3, 'JPEG');
  });

  it('grayscale output is BT.601 luma of RGB input', async () => {
    const r = await loadOne((p) => writeImage(p, card, W, H, 3, (s) => s.png()), 'a.png', { width: W, height: H, channels: 1 });
    const expected: number[] = [];
    for (let i = 0; i < W * H; i++) expected.push(luma(card[i * 3], card[i * 3 + 1], card[i * 3 + 2]));
    near(r.pixels, expected, 0, 'luma');
  });

  it('a gray input gives RGB with three equal planes', async () => {
    const g = raw(W, H, 1, (x, y) => 10 + 20 * x + 70 * y);
    const r = await loadOne((p) => writeImage(p, g, W, H, 1, (s) => s.png()), 'g.png', { width: W, height: H, channels: 3 });
    near(r.pixels, [...g, ...g, ...g], 0, 'gray to RGB');
  });

  it('palette PNG', async () => {
    const four = raw(W, H, 3, (x, _y, c) => [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]][x][c]);
    const r = await loadOne((p) => writeImage(p, four, W, H, 3, (s) => s.png({ palette: true, colours: 4, dither: 0 })), 'p.png', {
      width: W,
      height: H,
      channels: 3,
    });
    const meta = await sharp(join(dir, `case${serial - 1}`, 'p.png')).metadata();
    assert.equal(meta.isPalette, true, 'the test file is a palette PNG');
    const expected: number[] = [];
    for (let c = 0; c < 3; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expected.push(four[(y * W + x) * 3 + c]);
    near(r.pixels, expected, 0, 'palette');
  });

  it('GIF: the first frame of an animation', async () => {
    const red = await sharp({ create: { width: 4, height: 3, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
    const blue = await sharp({ create: { width: 4, height: 3, channels: 3, background: { r: 0, g: 0, b: 255 } } }).png().toBuffer();
    const r = await loadOne(
      async (p) => {
        await mkdir(dirname(p), { recursive: true });
        await sharp([red, blue], { join: { animated: true } }).gif().toFile(p);
      },
      'anim.gif',
      { width: 4, height: 3, channels: 3 },
    );
    near(r.pixels, [...new Array(12).fill(255), ...new Array(12).fill(0), ...new Array(12).fill(0)], 0, 'first frame');
  });
});

describe('16-bit, alpha, CMYK', () => {
  it('16-bit gray PNG is rounded to 8 bits', async () => {
    const v = [0, 128, 129, 383, 384, 1000, 30000, 65279, 65407, 65408, 65534, 65535];
    const g16 = raw16(4, 3, 1, (x, y) => v[y * 4 + x]);
    const r = await loadOne((p) => writeImage(p, g16, 4, 3, 1, (s) => s.png()), 'g16.png', { width: 4, height: 3 });
    const meta = await sharp(join(dir, `case${serial - 1}`, 'g16.png')).metadata();
    assert.equal(meta.depth, 'ushort', 'the test file is 16-bit');
    near(r.pixels, v.map((x) => Math.round(x / 257)), 0, '16-bit');
  });

  it('16-bit RGBA PNG composites over the background', async () => {
    // opaque, transparent, half transparent
    const px = raw16(3, 1, 4, (x, _y, c) => [[65535, 0, 0, 65535], [0, 65535, 0, 0], [0, 0, 65535, 32768]][x][c]);
    const r = await loadOne((p) => writeImage(p, px, 3, 1, 4, (s) => s.png()), 'a16.png', {
      width: 3,
      height: 1,
      channels: 3,
      background: [100, 150, 200],
    });
    const a = 32768 / 65535;
    const expected = [255, 100, Math.round(100 * (1 - a)), 0, 150, Math.round(150 * (1 - a)), 0, 200, Math.round(255 * a + 200 * (1 - a))];
    near(r.pixels, expected, 0, 'RGBA16');
  });

  it('8-bit alpha over the default black and over white', async () => {
    const px = raw(4, 1, 4, (x, _y, c) => (c === 3 ? [255, 0, 128, 64][x] : [200, 100, 50][c]));
    const write = (p: string) => writeImage(p, px, 4, 1, 4, (s) => s.png());
    const black = await loadOne(write, 'a.png', { width: 4, height: 1, channels: 3 });
    const white = await loadOne(write, 'a.png', { width: 4, height: 1, channels: 3, background: 255 });
    const exp = (bg: number): number[] => {
      const out: number[] = [];
      for (let c = 0; c < 3; c++) for (const a of [255, 0, 128, 64]) out.push(Math.round(([200, 100, 50][c] * a + bg * (255 - a)) / 255));
      return out;
    };
    near(black.pixels, exp(0), 0, 'over black');
    near(white.pixels, exp(255), 0, 'over white');
  });

  it('gray + alpha PNG', async () => {
    const px = raw(2, 1, 2, (x, _y, c) => (c === 0 ? 200 : [255, 0][x]));
    const r = await loadOne((p) => writeImage(p, px, 2, 1, 2, (s) => s.png()), 'ga.png', { width: 2, height: 1, background: 30 });
    near(r.pixels, [200, 30], 0, 'gray alpha');
  });

  for (const [what, name, enc] of [
    ['CMYK JPEG', 'c.jpg', (s: Sharp) => s.toColourspace('cmyk').jpeg({ quality: 100, chromaSubsampling: '4:4:4' })],
    ['CMYK TIFF', 'c.tif', (s: Sharp) => s.toColourspace('cmyk').tiff({ compression: 'lzw' })],
  ] as const) {
    it(`${what} comes out as sRGB, not inverted`, async () => {
      // white, black, mid gray, red, green, blue
      const px = Buffer.from([255, 255, 255, 0, 0, 0, 128, 128, 128, 200, 40, 40, 40, 160, 60, 30, 60, 200]);
      const r = await loadOne((p) => writeImage(p, px, 6, 1, 3, enc), name, { width: 6, height: 1, channels: 3 });
      const meta = await sharp(join(dir, `case${serial - 1}`, name)).metadata();
      assert.equal(meta.space, 'cmyk', 'the test file is CMYK');
      const at = (i: number): number[] => [r.pixels[i], r.pixels[6 + i], r.pixels[12 + i]];
      near(Uint8Array.from(at(0)), [255, 255, 255], 8, 'white');
      near(Uint8Array.from(at(1)), [0, 0, 0], 20, 'black');
      near(Uint8Array.from(at(2)), [128, 128, 128], 20, 'gray');
      const [red, green, blue] = [at(3), at(4), at(5)];
      assert.ok(red[0] > 150 && red[1] < 80 && red[2] < 80, `red came out ${red}`);
      assert.ok(green[1] > 120 && green[0] < 80 && green[2] < 100, `green came out ${green}`);
      assert.ok(blue[2] > 120 && blue[0] < 80 && blue[1] < 100, `blue came out ${blue}`);
    });
  }
});

describe('EXIF orientation', () => {
  // Stored pixel (row r, col c) of a w x h image lands at display (y, x):
  const place: Record<number, (r: number, c: number, w: number, h: number) => [number, number]> = {
    1: (r, c) => [r, c],
    2: (r, c, w) => [r, w - 1 - c],
    3: (r, c, w, h) => [h - 1 - r, w - 1 - c],
    4: (r, c, _w, h) => [h - 1 - r, c],
    5: (r, c) => [c, r],
    6: (r, c, _w, h) => [c, h - 1 - r],
    7: (r, c, w, h) => [w - 1 - c, h - 1 - r],
    8: (r, c, w) => [w - 1 - c, r],
  };
  const sw = 3;
  const sh = 2;
  const stored = raw(sw, sh, 1, (x, y) => 10 + 40 * (y * sw + x));
  for (let o = 1; o <= 8; o++) {
    it(`PNG with orientation ${o}`, async () => {
      const turned = o >= 5;
      const dw = turned ? sh : sw;
      const dh = turned ? sw : sh;
      const r = await loadOne((p) => writeImage(p, stored, sw, sh, 1, (s) => s.withMetadata({ orientation: o }).png()), `o${o}.png`, {
        width: dw,
        height: dh,
        fit: 'fill',
      });
      const expected = new Array<number>(sw * sh);
      for (let y = 0; y < sh; y++) {
        for (let x = 0; x < sw; x++) {
          const [dy, dx] = place[o](y, x, sw, sh);
          expected[dy * dw + dx] = stored[y * sw + x];
        }
      }
      near(r.pixels, expected, 0, `orientation ${o}`);
    });
  }

  it('JPEG with orientation 6 (a phone held upright)', async () => {
    // 16x8, left half dark, right half light; rotated 90 degrees clockwise it is 8x16, top dark, bottom light
    const img = raw(16, 8, 1, (x) => (x < 8 ? 30 : 220));
    const r = await loadOne((p) => writeImage(p, img, 16, 8, 1, (s) => s.withMetadata({ orientation: 6 }).jpeg({ quality: 100 })), 'o6.jpg', {
      width: 8,
      height: 16,
      fit: 'fill',
    });
    const expected = Array.from({ length: 128 }, (_, i) => (Math.floor(i / 8) < 8 ? 30 : 220));
    near(r.pixels, expected, 3, 'jpeg orientation 6');
  });
});

describe('resizing and fit', () => {
  // 8x4 image: left half 40, right half 200
  const img = raw(8, 4, 1, (x) => (x < 4 ? 40 : 200));
  const write = (p: string) => writeImage(p, img, 8, 4, 1, (s) => s.png());

  it('contain pads top and bottom with the background colour', async () => {
    const r = await loadOne(write, 'w.png', { width: 4, height: 4, fit: 'contain', background: 7 });
    // scaled to 4x2, centred: rows 0 and 3 are padding
    const rows = [0, 1, 2, 3].map((y) => [...r.pixels.subarray(y * 4, y * 4 + 4)]);
    assert.deepEqual(rows[0], [7, 7, 7, 7]);
    assert.deepEqual(rows[3], [7, 7, 7, 7]);
    for (const y of [1, 2]) {
      assert.ok(rows[y][0] < 60 && rows[y][3] > 180, `row ${y}: ${rows[y]}`);
    }
  });

  it('cover (the default) crops the sides: a 4x4 centre of 40|200', async () => {
    const r = await loadOne(write, 'w.png', { width: 4, height: 4 });
    for (let y = 0; y < 4; y++) assert.deepEqual([...r.pixels.subarray(y * 4, y * 4 + 4)], [40, 40, 200, 200]);
  });

  it('fill stretches', async () => {
    // 8x4 to 2x2: each output pixel averages one half (Lanczos lets a little of the other half in)
    const r = await loadOne(write, 'w.png', { width: 2, height: 2, fit: 'fill' });
    near(r.pixels, [40, 200, 40, 200], 12, 'fill');
  });

  it('downscales a larger photo-sized image to 28x28 (default size)', async () => {
    const big = raw(640, 480, 3, (x, y, c) => (c === 0 ? (x * 255) / 639 : c === 1 ? (y * 255) / 479 : 128));
    const r = await loadOne((p) => writeImage(p, big, 640, 480, 3, (s) => s.jpeg({ quality: 90 })), 'photo.jpg');
    assert.equal(r.set.width, 28);
    assert.equal(r.set.height, 28);
    assert.equal(r.set.channels, 1);
    assert.equal(r.pixels.length, 784);
    // luminance grows left to right and top to bottom
    assert.ok(r.pixels[27] > r.pixels[0] + 20 && r.pixels[27 * 28] > r.pixels[0] + 20, 'gradients survive');
  });
});
