/**
 * Helpers for this folder's tests (not used at run time): temp folders and synthetic images written
 * with sharp, so every test makes exactly the files it checks.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp, { type Sharp } from 'sharp';

export async function tempDir(prefix = 'locus-data-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Interleaved raw pixels, value = fn(x, y, channel). */
export function raw(width: number, height: number, channels: number, fn: (x: number, y: number, c: number) => number): Buffer {
  const b = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) b[(y * width + x) * channels + c] = fn(x, y, c);
  }
  return b;
}

export function raw16(width: number, height: number, channels: number, fn: (x: number, y: number, c: number) => number): Uint16Array {
  const b = new Uint16Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) b[(y * width + x) * channels + c] = fn(x, y, c);
  }
  return b;
}

/** Write raw pixels as an image file; `encode` picks the format and options. Parent folders are created. */
export async function writeImage(
  path: string,
  data: Buffer | Uint16Array,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  encode: (s: Sharp) => Sharp,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  let s = sharp(data, { raw: { width, height, channels } });
  if (channels <= 2) s = s.toColourspace(data instanceof Uint16Array ? 'grey16' : 'b-w');
  else if (data instanceof Uint16Array) s = s.toColourspace('rgb16');
  await encode(s).toFile(path);
}

/** A small gray PNG with a constant value (the quickest valid image). */
export async function writeGray(path: string, value: number, width = 4, height = 4): Promise<void> {
  await writeImage(path, raw(width, height, 1, () => value), width, height, 1, (s) => s.png());
}

/** True when file permissions do not apply (running as root). */
export const permissionsIgnored = typeof process.getuid === 'function' && process.getuid() === 0;
