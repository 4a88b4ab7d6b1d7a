import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toPlanar } from './pixels.js';

describe('toPlanar', () => {
  it('RGB 8-bit interleaved to planar, unchanged', () => {
    const src = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const out = new Uint8Array(8).fill(99);
    toPlanar(src, 3, 2, 3, [0, 0, 0], out, 1);
    assert.deepEqual([...out], [99, 1, 4, 2, 5, 3, 6, 99]);
  });

  it('gray is BT.601 luma, rounded: worked values', () => {
    // (299*255 + 0 + 0) / 1000 = 76.245 -> 76; (0 + 587*255 + 0)/1000 = 149.685 -> 150; blue 29.07 -> 29
    const src = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 77, 77, 77]);
    const out = new Uint8Array(4);
    toPlanar(src, 3, 4, 1, [0, 0, 0], out, 0);
    assert.deepEqual([...out], [76, 150, 29, 77]);
  });

  it('alpha composites over the background: worked values', () => {
    // a = 51/255 = 0.2: R 200*0.2 + 100*0.8 = 120, G 40 + 50*0.8 = 80, B 40 + 0 = 40;
    // a = 0: the background (100, 50, 0); a = 255: the colour (10, 20, 30)
    const src = Uint8Array.from([200, 200, 200, 51, 10, 20, 30, 0, 10, 20, 30, 255]);
    const out = new Uint8Array(9);
    toPlanar(src, 4, 3, 3, [100, 50, 0], out, 0);
    assert.deepEqual([...out], [120, 100, 10, 80, 50, 20, 40, 0, 30]);
  });

  it('16-bit values are rounded to 8 bits (v / 257), and an 8-bit value scaled by 257 is exact', () => {
    const src = Uint16Array.from([128, 129, 65535, 65535, 257 * 200, 257 * 201, 65535 - 128, 65535, 0, 0, 0, 65535]);
    const out = new Uint8Array(9);
    toPlanar(src, 4, 3, 3, [0, 0, 0], out, 0);
    // r: 128/257 = 0.498 -> 0; 200; 0    g: 129/257 = 0.502 -> 1; 201; 0    b: 255; 65407/257 = 254.5 -> 255 (254.50195); 0
    assert.deepEqual([...out], [0, 200, 0, 1, 201, 0, 255, 255, 0]);
  });

  it('16-bit alpha composite over a background given in 8-bit units', () => {
    const src = Uint16Array.from([65535, 0, 0, 32768]);
    const out = new Uint8Array(3);
    toPlanar(src, 4, 1, 3, [0, 0, 200], out, 0);
    const a = 32768 / 65535;
    assert.deepEqual([...out], [Math.round(255 * a), 0, Math.round(200 * (1 - a))]);
  });

  it('refuses short input and output', () => {
    assert.throws(() => toPlanar(new Uint8Array(5), 3, 2, 1, [0, 0, 0], new Uint8Array(2), 0), /need 6 values/);
    assert.throws(() => toPlanar(new Uint8Array(6), 3, 2, 3, [0, 0, 0], new Uint8Array(5), 0), /output too small/);
  });
});
