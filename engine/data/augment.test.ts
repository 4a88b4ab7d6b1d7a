import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../core/rng.js';
import { augmentImages, augmentOptions, IDENTITY, randomTransform, transformImage, type Transform } from './augment.js';

/** A 2-channel 5x5 image with distinct values: channel c, row y, column x → 100c + 10y + x + 1. */
function image(): Uint8Array {
  const a = new Uint8Array(2 * 25);
  for (let c = 0; c < 2; c++) for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) a[c * 25 + y * 5 + x] = 100 * c + 10 * y + x + 1;
  return a;
}

const px = (a: Uint8Array, c: number, y: number, x: number) => a[c * 25 + y * 5 + x];

function apply(t: Partial<Transform>, fill = 0): Uint8Array {
  const out = new Uint8Array(50);
  transformImage(image(), 0, 2, 5, 5, { ...IDENTITY, ...t }, out, 0, fill);
  return out;
}

describe('transformImage', () => {
  it('identity copies exactly', () => {
    assert.deepEqual(apply({}), image());
  });

  it('an integer shift moves every pixel exactly and fills what comes from outside', () => {
    const out = apply({ dx: 1, dy: -2 }, 7);
    for (let c = 0; c < 2; c++)
      for (let y = 0; y < 5; y++)
        for (let x = 0; x < 5; x++) {
          const sx = x - 1;
          const sy = y + 2;
          const want = sx >= 0 && sy < 5 ? px(image(), c, sy, sx) : 7;
          assert.equal(px(out, c, y, x), want, `c${c} y${y} x${x}`);
        }
  });

  it('a half-pixel shift is the bilinear mean of two neighbours', () => {
    const out = apply({ dx: 0.5 });
    // output x=2 samples source x=1.5: mean of columns 1 and 2, rounded.
    assert.equal(px(out, 0, 3, 2), Math.round((px(image(), 0, 3, 1) + px(image(), 0, 3, 2)) / 2));
  });

  it('a horizontal flip mirrors columns, and twice is the identity', () => {
    const out = apply({ flip: true });
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) assert.equal(px(out, 1, y, x), px(image(), 1, y, 4 - x));
    const twice = new Uint8Array(50);
    transformImage(out, 0, 2, 5, 5, { ...IDENTITY, flip: true }, twice, 0);
    assert.deepEqual(twice, image());
  });

  it('a 90 degree rotation turns the image clockwise on screen (right edge goes to the bottom)', () => {
    const out = apply({ angle: Math.PI / 2 });
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) assert.equal(px(out, 0, y, x), px(image(), 0, 4 - x, y), `y${y} x${x}`);
  });

  it('scaling by 2 about the centre magnifies the middle', () => {
    const out = apply({ scale: 2 });
    assert.equal(px(out, 0, 2, 2), px(image(), 0, 2, 2), 'centre stays');
    assert.equal(px(out, 0, 2, 4), px(image(), 0, 2, 3), 'two pixels right of centre samples one pixel right');
  });
});

describe('augmentImages', () => {
  it('is seeded: the same seed gives the same virtual images, another seed different ones', () => {
    const pixels = new Uint8Array(3 * 50);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) % 256;
    const o = augmentOptions({ shift: 1.5, rotate: 15, scale: 0.2, flip: true });
    const run = (seed: number) => {
      const out = new Uint8Array(2 * 50);
      augmentImages(pixels, Int32Array.from([2, 0]), 0, 2, { channels: 2, height: 5, width: 5 }, new Rng(seed), o, out);
      return out;
    };
    assert.deepEqual(run(4), run(4));
    assert.notDeepEqual(run(4), run(5));
  });

  it('draws transforms within the limits', () => {
    const o = augmentOptions({ shift: 2, rotate: 10, scale: 0.1 });
    const rng = new Rng(1);
    for (let i = 0; i < 200; i++) {
      const t = randomTransform(rng, o);
      assert.ok(Math.abs(t.dx) <= 2 && Math.abs(t.dy) <= 2);
      assert.ok(Math.abs(t.angle) <= (10 * Math.PI) / 180 + 1e-12);
      assert.ok(t.scale >= 0.9 && t.scale <= 1.1);
      assert.equal(t.flip, false);
    }
  });

  it('refuses bad options with the reason', () => {
    assert.throws(() => augmentOptions({ scale: 1 }), /scale must be in \[0, 1\)/);
    assert.throws(() => augmentOptions({ shift: -1 }), /shift/);
  });
});
