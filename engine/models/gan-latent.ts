/**
 * Latent codes and what is drawn from them: a fixed, seeded grid of codes (the same codes after every
 * step, so a sample grid shows progress), interpolation between two codes (linear or spherical), and
 * generated images back to 8-bit pixels and tiled into one picture.
 */
import { Rng } from '../core/rng.js';
import { tensor, type Tensor } from '../core/tensor.js';
import { denormalize, type Normalization } from '../data/normalize.js';

/** n codes of `latent` values from N(0, 1), the same for the same seed. */
export function latentGrid(latent: number, n: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const d = new Float32Array(n * latent);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  return tensor([n, latent], d);
}

/**
 * `steps` codes from a to b inclusive. 'slerp' follows the great circle (with the norm interpolated
 * linearly), which keeps Gaussian codes at a typical length; 'linear' is the straight line (its middle
 * codes are shorter than either end). Falls back to linear when a and b are (anti)parallel or zero.
 */
export function interpolate(a: ArrayLike<number>, b: ArrayLike<number>, steps: number, mode: 'linear' | 'slerp' = 'slerp'): Tensor {
  if (a.length !== b.length || a.length === 0) throw new Error(`interpolate: codes of ${a.length} and ${b.length} values`);
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`interpolate: steps must be an integer >= 2, got ${steps}`);
  const n = a.length;
  let na = 0;
  let nb = 0;
  let dot = 0;
  for (let i = 0; i < n; i++) {
    na += a[i] * a[i];
    nb += b[i] * b[i];
    dot += a[i] * b[i];
  }
  na = Math.sqrt(na);
  nb = Math.sqrt(nb);
  const cos = na > 0 && nb > 0 ? dot / (na * nb) : 1;
  const omega = Math.acos(Math.max(-1, Math.min(1, cos)));
  const spherical = mode === 'slerp' && Math.sin(omega) > 1e-6;
  const out = new Float32Array(steps * n);
  for (let s = 0; s < steps; s++) {
    const t = s / (steps - 1);
    if (spherical) {
      // Directions on the great circle, then the length interpolated linearly.
      const so = Math.sin(omega);
      const ca = Math.sin((1 - t) * omega) / so / na;
      const cb = Math.sin(t * omega) / so / nb;
      const len = (1 - t) * na + t * nb;
      for (let i = 0; i < n; i++) out[s * n + i] = len * (ca * a[i] + cb * b[i]);
    } else {
      for (let i = 0; i < n; i++) out[s * n + i] = (1 - t) * a[i] + t * b[i];
    }
  }
  return tensor([steps, n], out);
}

/** Generated images [n, C, H, W] (normalized values) to 8-bit NCHW pixels, clamped. */
export function toPixels(x: Tensor, norm: Normalization, out?: Uint8Array): Uint8Array {
  if (x.shape.length !== 4) throw new Error(`toPixels: expects images [n, C, H, W], got [${x.shape.join('x')}]`);
  const [n, c, h, w] = x.shape;
  const plane = h * w;
  const px = out ?? new Uint8Array(n * c * plane);
  if (px.length < x.data.length) throw new Error(`toPixels: out holds ${px.length} bytes, needs ${x.data.length}`);
  for (let i = 0; i < n * c; i++) {
    const ch = i % c;
    for (let p = i * plane, e = p + plane; p < e; p++) px[p] = Math.round(denormalize(x.data[p], norm, ch));
  }
  return px;
}

export interface Picture {
  width: number;
  height: number;
  channels: number;
  /** Interleaved (HWC) 8-bit pixels, as image encoders take them. */
  data: Uint8Array;
}

export interface TileOptions {
  /** Images per row (default: ceil(sqrt(n))). */
  cols?: number;
  /** Pixels between images and around the edge (default 2). */
  gap?: number;
  /** Gray level of the gaps (default 255). */
  background?: number;
  /** Nearest-neighbour enlargement of every pixel (default 1). */
  scale?: number;
}

/** Lay out n images of NCHW 8-bit pixels as one picture, row by row. */
export function tileImages(pixels: Uint8Array, n: number, c: number, h: number, w: number, o: TileOptions = {}): Picture {
  if (pixels.length < n * c * h * w) throw new Error(`tileImages: ${pixels.length} bytes for ${n} images of ${c}x${h}x${w}`);
  const cols = Math.max(1, Math.min(n, o.cols ?? Math.ceil(Math.sqrt(n))));
  const rows = Math.max(1, Math.ceil(n / cols));
  const gap = o.gap ?? 2;
  const s = o.scale ?? 1;
  if (!Number.isInteger(s) || s < 1 || s > 64) throw new Error(`tileImages: scale must be an integer from 1 to 64, got ${s}`);
  const cw = w * s;
  const chh = h * s;
  const width = cols * cw + (cols + 1) * gap;
  const height = rows * chh + (rows + 1) * gap;
  const data = new Uint8Array(width * height * c).fill(o.background ?? 255);
  for (let k = 0; k < n; k++) {
    const x0 = gap + (k % cols) * (cw + gap);
    const y0 = gap + Math.floor(k / cols) * (chh + gap);
    for (let y = 0; y < chh; y++) {
      const sy = Math.floor(y / s);
      for (let x = 0; x < cw; x++) {
        const sx = Math.floor(x / s);
        const dst = ((y0 + y) * width + x0 + x) * c;
        for (let ch = 0; ch < c; ch++) data[dst + ch] = pixels[((k * c + ch) * h + sy) * w + sx];
      }
    }
  }
  return { width, height, channels: c, data };
}
