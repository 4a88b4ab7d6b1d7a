/**
 * GAN architectures as JSON descriptions (the same form the model file stores).
 *  - dcgan: generator dense -> reshape -> [batchNorm, relu, convTranspose2d (k4, s2)] x u -> tanh;
 *    discriminator [conv2d (k4, s2), leakyRelu 0.2] x u -> flatten -> dense 1 (one logit), no pooling and
 *    no batchNorm (so D's statistics never mix real and fake batches). u is the number of halvings from the
 *    image side down to the base grid: 28 -> 14 -> 7 (u = 2), 32 -> 16 -> 8 -> 4 (u = 3).
 *  - mlp2d: small MLPs for 2-D points (GAN Lab): latent -> hidden -> 2 and 2 -> hidden -> 1 logit.
 */
import type { LayerSpec } from '../layers/layer.js';
import type { SequentialSpec } from './sequential.js';

export interface GanSpecs {
  generator: SequentialSpec;
  discriminator: SequentialSpec;
}

export interface DcganOptions {
  channels: number;
  /** Image side (square images); must halve evenly down to a base grid of 3..7 pixels. */
  size: number;
  latent: number;
  /** Filters of the generator's last hidden level and the discriminator's first (default 16); the others double per level. */
  width?: number;
}

/** Halvings from `size` to the base grid: halve while even and above 7 (28 -> 7, 32 -> 4, 64 -> 4). */
export function dcganLevels(size: number): { levels: number; base: number } {
  if (!Number.isInteger(size) || size < 8 || size > 1024) throw new Error(`dcgan: image size must be an integer from 8 to 1024, got ${size}`);
  let base = size;
  let levels = 0;
  while (base % 2 === 0 && base > 7) {
    base /= 2;
    levels++;
  }
  if (levels === 0 || base < 3 || base > 7) throw new Error(`dcgan: image size ${size} does not halve down to a base grid of 3 to 7 pixels (try 28, 32 or 64)`);
  return { levels, base };
}

export function dcganSpecs(o: DcganOptions): GanSpecs {
  const { channels: c, size, latent } = o;
  const w = o.width ?? 16;
  for (const [k, v] of Object.entries({ channels: c, latent, width: w })) {
    if (!Number.isInteger(v) || v < 1 || v > 4096) throw new Error(`dcgan: ${k} must be an integer from 1 to 4096, got ${v}`);
  }
  const { levels, base } = dcganLevels(size);
  const top = w * 2 ** levels;
  const gen: LayerSpec[] = [
    { type: 'dense', units: top * base * base, useBias: false, init: 'glorot' },
    { type: 'reshape', shape: [top, base, base] },
  ];
  for (let i = 0; i < levels; i++) {
    const last = i === levels - 1;
    gen.push(
      { type: 'batchNorm', momentum: 0.9 },
      { type: 'relu' },
      last
        ? { type: 'convTranspose2d', filters: c, kernel: 4, stride: 2, padding: 'same', init: 'glorot' }
        : { type: 'convTranspose2d', filters: top >> (i + 1), kernel: 4, stride: 2, padding: 'same', useBias: false, init: 'he' },
    );
  }
  gen.push({ type: 'tanh' });
  const dis: LayerSpec[] = [];
  for (let i = 0; i < levels; i++) {
    dis.push({ type: 'conv2d', filters: w * 2 ** (i + 1), kernel: 4, stride: 2, padding: 'same', init: 'he' }, { type: 'leakyRelu', alpha: 0.2 });
  }
  dis.push({ type: 'flatten' }, { type: 'dense', units: 1, init: 'glorot' });
  return { generator: { input: [latent], layers: gen }, discriminator: { input: [c, size, size], layers: dis } };
}

export interface Mlp2dOptions {
  /** Noise dimensions (default 2, as GAN Lab). */
  latent?: number;
  /** Hidden units per layer (default 32) and hidden layers (default 2) of both networks. */
  hidden?: number;
  layers?: number;
}

export function mlp2dSpecs(o: Mlp2dOptions = {}): GanSpecs {
  const latent = o.latent ?? 2;
  const hidden = o.hidden ?? 32;
  const depth = o.layers ?? 2;
  const body = (): LayerSpec[] => {
    const out: LayerSpec[] = [];
    for (let i = 0; i < depth; i++) out.push({ type: 'dense', units: hidden, init: 'he' }, { type: 'leakyRelu', alpha: 0.2 });
    return out;
  };
  return {
    generator: { input: [latent], layers: [...body(), { type: 'dense', units: 2, init: 'glorot' }] },
    discriminator: { input: [2], layers: [...body(), { type: 'dense', units: 1, init: 'glorot' }] },
  };
}
