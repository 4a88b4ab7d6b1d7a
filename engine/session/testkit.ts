/**
 * Helpers for this folder's tests (not used at run time): a small synthetic image set whose classes a
 * network can tell apart (a bright square at a class-specific place, plus noise).
 */
import { Rng } from '../core/rng.js';
import type { ImageSet } from '../data/folder.js';

export function toySet(perClass: number, classes = 2, size = 8, seed = 1): ImageSet {
  const rng = new Rng(seed);
  const n = perClass * classes;
  const hw = size * size;
  const pixels = new Uint8Array(n * hw);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    const ox = (c * 3) % (size - 2);
    const oy = Math.floor((c * 3) / (size - 2)) * 3;
    for (let p = 0; p < hw; p++) pixels[i * hw + p] = rng.int(60);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) pixels[i * hw + (oy + y) * size + ox + x] = 180 + rng.int(70);
  }
  return {
    n,
    channels: 1,
    height: size,
    width: size,
    pixels,
    labels,
    classes: Array.from({ length: classes }, (_, c) => `class${c}`),
    paths: Array.from({ length: n }, (_, i) => `img${i}.png`),
  };
}

export const range = (from: number, to: number): Int32Array => Int32Array.from({ length: to - from }, (_, i) => from + i);
