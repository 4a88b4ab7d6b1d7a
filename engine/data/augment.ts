/**
 * Virtual examples ("hints"): small random shifts, rotations, scalings and an optional horizontal flip of
 * uint8 NCHW images, resampled bilinearly about the image centre. Every draw comes from the seeded Rng,
 * so the same seed gives the same virtual images. Pixels that map outside the source take `fill`.
 *
 * The transform maps an output pixel p to the source point  c + A⁻¹ (p - c - shift), where c is the
 * centre ((w-1)/2, (h-1)/2) and A = rotate(angle) · scale (· mirror x when flipped), so the identity
 * transform copies exactly and an integer shift moves pixels exactly.
 */
import type { Rng } from '../core/rng.js';

export interface AugmentOptions {
  /** Largest shift in pixels along each axis (uniform in [-shift, shift]); default 2. */
  shift: number;
  /** Largest rotation in degrees (uniform in [-rotate, rotate]); default 10. */
  rotate: number;
  /** Largest relative scale change (factor uniform in [1 - scale, 1 + scale]); default 0.1. */
  scale: number;
  /** Mirror left-right with probability 1/2 (sensible for clothes or scenes, not for digits); default false. */
  flip: boolean;
  /** Value of pixels that come from outside the image; default 0 (black). */
  fill: number;
}

export const AUGMENT_DEFAULTS: Readonly<AugmentOptions> = Object.freeze({ shift: 2, rotate: 10, scale: 0.1, flip: false, fill: 0 });

export interface Transform {
  dx: number;
  dy: number;
  /** Radians; positive turns the image clockwise as seen on screen (y axis down). */
  angle: number;
  scale: number;
  flip: boolean;
}

export const IDENTITY: Readonly<Transform> = Object.freeze({ dx: 0, dy: 0, angle: 0, scale: 1, flip: false });

/** Merge options over the defaults and check them; throws with the reason. */
export function augmentOptions(o: Partial<AugmentOptions> = {}): AugmentOptions {
  const m = { ...AUGMENT_DEFAULTS, ...o };
  const bad = (k: string, v: unknown, why: string) => new Error(`augment: ${k} ${why}, got ${String(v)}`);
  if (!(m.shift >= 0 && m.shift <= 64)) throw bad('shift', m.shift, 'must be between 0 and 64 pixels');
  if (!(m.rotate >= 0 && m.rotate <= 180)) throw bad('rotate', m.rotate, 'must be between 0 and 180 degrees');
  if (!(m.scale >= 0 && m.scale < 1)) throw bad('scale', m.scale, 'must be in [0, 1)');
  if (typeof m.flip !== 'boolean') throw bad('flip', m.flip, 'must be true or false');
  if (!(m.fill >= 0 && m.fill <= 255)) throw bad('fill', m.fill, 'must be a pixel value 0..255');
  return m;
}

export function randomTransform(rng: Rng, o: AugmentOptions): Transform {
  return {
    dx: rng.uniform(-o.shift, o.shift),
    dy: rng.uniform(-o.shift, o.shift),
    angle: (rng.uniform(-o.rotate, o.rotate) * Math.PI) / 180,
    scale: rng.uniform(1 - o.scale, 1 + o.scale),
    flip: o.flip && rng.next() < 0.5,
  };
}

/** Resample one image (channels x height x width bytes at srcOffset) through t into dst at dstOffset. */
export function transformImage(
  src: Uint8Array,
  srcOffset: number,
  channels: number,
  height: number,
  width: number,
  t: Transform,
  dst: Uint8Array,
  dstOffset: number,
  fill = 0,
): void {
  const hw = height * width;
  if (srcOffset < 0 || srcOffset + channels * hw > src.length) throw new RangeError('transformImage: source image out of range');
  if (dstOffset < 0 || dstOffset + channels * hw > dst.length) throw new RangeError('transformImage: destination out of range');
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  // Inverse of A = R(angle) S(scale) F: F⁻¹ S⁻¹ R(-angle).
  const cos = Math.cos(t.angle) / t.scale;
  const sin = Math.sin(t.angle) / t.scale;
  const fx = t.flip ? -1 : 1;
  for (let y = 0; y < height; y++) {
    const py = y - cy - t.dy;
    for (let x = 0; x < width; x++) {
      const px = x - cx - t.dx;
      // Screen rotation with y down: R(a) = [[cos, -sin], [sin, cos]] → R(-a) = [[cos, sin], [-sin, cos]].
      const sx = fx * (cos * px + sin * py) + cx;
      const sy = -sin * px + cos * py + cy;
      for (let c = 0; c < channels; c++) {
        const v = bilinear(src, srcOffset + c * hw, height, width, sx, sy, fill);
        dst[dstOffset + c * hw + y * width + x] = v;
      }
    }
  }
}

/** Bilinear sample of one plane at (sx, sy), rounded to a byte; outside neighbours count as `fill`. */
function bilinear(src: Uint8Array, base: number, h: number, w: number, sx: number, sy: number, fill: number): number {
  // Snap coordinates within float noise of a pixel centre, so exact maps copy exactly.
  const rx = Math.round(sx);
  const ry = Math.round(sy);
  if (Math.abs(sx - rx) < 1e-6) sx = rx;
  if (Math.abs(sy - ry) < 1e-6) sy = ry;
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const ax = sx - x0;
  const ay = sy - y0;
  const at = (xx: number, yy: number) => (xx >= 0 && xx < w && yy >= 0 && yy < h ? src[base + yy * w + xx] : fill);
  const top = at(x0, y0) * (1 - ax) + (ax > 0 ? at(x0 + 1, y0) * ax : 0);
  if (ay === 0) return Math.round(top);
  const bottom = at(x0, y0 + 1) * (1 - ax) + (ax > 0 ? at(x0 + 1, y0 + 1) * ax : 0);
  return Math.round(top * (1 - ay) + bottom * ay);
}

/**
 * Virtual examples of images indices[start .. start+count) of an NCHW uint8 array: one random transform
 * each, written in that order to out[0 .. count*per).
 */
export function augmentImages(
  pixels: Uint8Array,
  indices: Int32Array,
  start: number,
  count: number,
  shape: { channels: number; height: number; width: number },
  rng: Rng,
  o: AugmentOptions,
  out: Uint8Array,
): void {
  const per = shape.channels * shape.height * shape.width;
  if (out.length < count * per) throw new RangeError(`augmentImages: out holds ${out.length} bytes, ${count} images need ${count * per}`);
  for (let k = 0; k < count; k++) {
    const t = randomTransform(rng, o);
    transformImage(pixels, indices[start + k] * per, shape.channels, shape.height, shape.width, t, out, k * per, o.fill);
  }
}
