import sharp from 'sharp';
import { Rng } from '../core/rng.js';
import { tensor } from '../core/tensor.js';
import type { Normalization } from '../data/normalize.js';
import type { Gan } from '../models/gan.js';
import { interpolate, tileImages, toPixels } from '../models/gan-latent.js';
import { ganFromFile } from '../io/gan.js';
import { readModelFile } from '../io/index.js';
import { num, parse, required } from './args.js';
import { Output } from './output.js';

export const usage = `locus sample --model GAN.json --out GRID.png [options]
  Draw new images from a trained GAN (locus gan) and save them as one PNG grid.
  --n N               images (default 64)
  --seed N            seed of the latent codes: the same seed gives the same images (default 1)
  --cols N            images per row (default: a square grid)
  --scale N           enlarge every pixel N x N (default 2)
  --interpolate K     rows of K images walking from one random code to another (spherical interpolation)
  --json              one JSON object with the result`;

const OPTIONS = {
  model: { type: 'string' },
  out: { type: 'string' },
  n: { type: 'string' },
  seed: { type: 'string' },
  cols: { type: 'string' },
  scale: { type: 'string' },
  interpolate: { type: 'string' },
} as const;

/** Tile NCHW 8-bit samples and write them as a PNG (gray or RGB). */
export async function writeGridPng(path: string, pixels: Uint8Array, n: number, shape: readonly number[], cols?: number, scale = 2): Promise<{ width: number; height: number }> {
  const [c, h, w] = shape;
  if (c !== 1 && c !== 3) throw new Error(`a PNG grid needs 1 or 3 channels, the samples have ${c}`);
  const pic = tileImages(pixels, n, c, h, w, { cols, scale, gap: 2, background: 255 });
  await sharp(Buffer.from(pic.data.buffer, pic.data.byteOffset, pic.data.byteLength), { raw: { width: pic.width, height: pic.height, channels: c } })
    .png()
    .toFile(path);
  return { width: pic.width, height: pic.height };
}

/** n images from codes drawn with `seed`, or rows of `steps` interpolated images. */
export function sampleImages(gan: Gan, norm: Normalization, n: number, seed: number, steps = 0): Uint8Array {
  const rng = new Rng(seed);
  let z;
  if (steps >= 2) {
    const rows = Math.max(1, Math.round(n / steps));
    const d = new Float32Array(rows * steps * gan.latent);
    for (let r = 0; r < rows; r++) {
      const a = gan.sampleLatent(1, rng).data;
      const b = gan.sampleLatent(1, rng).data;
      d.set(interpolate(a, b, steps).data, r * steps * gan.latent);
    }
    z = tensor([rows * steps, gan.latent], d);
  } else {
    z = gan.sampleLatent(n, rng);
  }
  const x = gan.generate(z, rng);
  // Never NaN drawn as black pixels with exit 0: a generator whose output overflows is an error.
  if (!x.data.every(Number.isFinite)) throw new Error("the generator's output is not a finite number (its weights overflow float32)");
  return toPixels(x, norm);
}

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, OPTIONS);
  const path = required(v.model, 'model');
  const outPath = required(v.out, 'out');
  let n = num(v.n, 'n', 64, 1, 4096, true);
  const seed = num(v.seed, 'seed', 1, 0, 2 ** 32 - 1, true);
  const scale = num(v.scale, 'scale', 2, 1, 16, true);
  const steps = v.interpolate === undefined ? 0 : num(v.interpolate, 'interpolate', 8, 2, 256, true);
  let cols = v.cols === undefined ? undefined : num(v.cols, 'cols', 8, 1, 4096, true);
  const out = new Output(Boolean(v.json));
  const file = await readModelFile(path);
  if (file.kind !== 'gan') throw new Error(`${path} is a "${file.kind}" model; locus sample needs a gan (made by locus gan)`);
  const { gan, normalization } = ganFromFile(file);
  if (steps) {
    n = Math.max(1, Math.round(n / steps)) * steps;
    cols = steps;
  }
  const t0 = performance.now();
  const pixels = sampleImages(gan, normalization, n, seed, steps);
  const { width, height } = await writeGridPng(outPath, pixels, n, gan.sampleShape, cols, scale);
  const ms = performance.now() - t0;
  out.result(`wrote ${n} samples (${gan.sampleShape.join('x')}, seed ${seed}) as a ${width}x${height} grid to ${outPath} in ${ms.toFixed(0)} ms`, {
    event: 'done',
    out: outPath,
    n,
    seed,
    width,
    height,
    ms,
  });
  return 0;
}
