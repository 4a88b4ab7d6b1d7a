/**
 * The last step of decoding, in plain TypeScript so it is exact and testable: sharp hands over an
 * interleaved RGB or RGBA image (already oriented and resized, straight alpha, 'contain' padding
 * transparent), 8 or 16 bits per value; this composites it over the background, converts to grayscale
 * if asked and writes 8-bit planar (CHW) pixels.
 *  - Compositing: c = c * a + bg * (1 - a).
 *  - Grayscale: ITU-R BT.601 luma, Y = 0.299 R + 0.587 G + 0.114 B (what PIL's convert('L') and
 *    tf.image.rgb_to_grayscale use), on the composited values; a gray input comes back unchanged.
 *  - 16 to 8 bits: v8 = round(v16 / 257) (rounded, not truncated).
 * Values are rounded once, at the end.
 */
export type Rgb = readonly [number, number, number];

export function toPlanar(
  src: Uint8Array | Uint16Array,
  stride: 3 | 4,
  count: number,
  channels: 1 | 3,
  background: Rgb,
  out: Uint8Array,
  offset: number,
): void {
  if (src.length < count * stride) throw new Error(`toPlanar: need ${count * stride} values, got ${src.length}`);
  if (out.length < offset + count * channels) throw new Error('toPlanar: output too small');
  const max = src instanceof Uint16Array ? 65535 : 255;
  const s = max / 255; // 1 or 257
  const br = background[0] * s;
  const bgG = background[1] * s;
  const bb = background[2] * s;
  const grayDiv = 1000 * s;
  for (let i = 0; i < count; i++) {
    const j = i * stride;
    let r = src[j];
    let g = src[j + 1];
    let b = src[j + 2];
    if (stride === 4) {
      const a = src[j + 3];
      if (a !== max) {
        const t = max - a;
        r = (r * a + br * t) / max;
        g = (g * a + bgG * t) / max;
        b = (b * a + bb * t) / max;
      }
    }
    if (channels === 1) {
      out[offset + i] = Math.round((299 * r + 587 * g + 114 * b) / grayDiv);
    } else if (s === 1) {
      out[offset + i] = Math.round(r);
      out[offset + count + i] = Math.round(g);
      out[offset + 2 * count + i] = Math.round(b);
    } else {
      out[offset + i] = Math.round(r / s);
      out[offset + count + i] = Math.round(g / s);
      out[offset + 2 * count + i] = Math.round(b / s);
    }
  }
}
