/**
 * Decode one image file into a slot of the final pixel array.
 *  1. identify(): the first bytes decide the format (sniff.ts); small files are read whole here so
 *     the file is opened once; bigger ones are handed to libvips by path.
 *  2. sharp reads the header and refuses images over the pixel limit before decoding any pixel data
 *     (limitInputPixels); only then is the header read again to say the size in the reason.
 *  3. sharp applies the EXIF orientation, resizes with the chosen fit and converts any input (palette,
 *     gray, CMYK, with or without alpha) to sRGB, 8-bit or, for 16-bit inputs, 16-bit (16-bit PNGs are
 *     seen in their IHDR bytes, TIFFs through sharp's header read; JPEG, GIF and WebP are 8-bit).
 *  4. pixels.ts composites alpha, converts to gray and writes planar uint8.
 * Every way a file can be unusable becomes a SkipError with a short reason.
 */
import * as fs from 'node:fs';
import sharp from 'sharp';
import { toPlanar, type Rgb } from './pixels.js';
import { SNIFF_BYTES, sniff, type ImageFormat } from './sniff.js';

export type Fit = 'contain' | 'cover' | 'fill';

export interface DecodeSpec {
  width: number;
  height: number;
  channels: 1 | 3;
  fit: Fit;
  background: Rgb;
  maxPixels: number;
  failOn: 'warning' | 'error';
}

/** A file that cannot be used; the message is the reason shown to the user. */
export class SkipError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SkipError';
  }
}

/** Files up to this size are read into memory once; larger ones are read by libvips from the path. */
export const WHOLE_READ_LIMIT = 4 << 20;

const FORMAT_NAMES: Record<ImageFormat, string> = { png: 'PNG', jpeg: 'JPEG', gif: 'GIF', webp: 'WebP', tiff: 'TIFF' };

export function errnoReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'unreadable: permission denied';
  if (code === 'ENOENT') return 'file disappeared while loading';
  if (code === 'EISDIR') return 'not a file';
  return `unreadable: ${code ?? (e instanceof Error ? e.message : String(e))}`;
}

export interface Identified {
  format: ImageFormat;
  /** The first bytes of the file (up to SNIFF_BYTES). */
  head: Uint8Array;
  /** The whole file when it is small, else the path for libvips to read. */
  input: Buffer | string;
}

/**
 * The first `n` bytes of a file (fewer if it is shorter). Callback fs calls: for thousands of small
 * files they cost about half the main-thread time of the promise API.
 */
export function readStart(path: string, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fs.open(path, 'r', (err, fd) => {
      if (err) return reject(err);
      const buf = Buffer.allocUnsafe(n);
      const done = (e: Error | null, got: number): void => {
        fs.close(fd, () => (e ? reject(e) : resolve(buf.subarray(0, got))));
      };
      const step = (got: number): void => {
        if (got >= n) return done(null, got);
        fs.read(fd, buf, got, n - got, got, (e, k) => (e ? done(e, got) : k === 0 ? done(null, got) : step(got + k)));
      };
      step(0);
    });
  });
}

/** Read the first bytes (or the whole small file) and decide whether this is an image we decode. */
export async function identify(path: string, size: number, wholeReadLimit = WHOLE_READ_LIMIT): Promise<Identified> {
  if (size === 0) throw new SkipError('empty file (0 bytes)');
  const whole = size <= wholeReadLimit;
  let bytes: Buffer;
  try {
    bytes = await readStart(path, whole ? size : SNIFF_BYTES);
  } catch (e) {
    throw new SkipError(errnoReason(e));
  }
  if (bytes.length === 0) throw new SkipError('empty file (0 bytes)');
  const s = sniff(bytes.subarray(0, SNIFF_BYTES));
  if (s.kind === 'image') return { format: s.format, head: bytes.subarray(0, SNIFF_BYTES), input: whole ? bytes : path };
  const ext = /\.[^./\\]+$/.exec(path)?.[0].toLowerCase() ?? '';
  const named = /^\.(png|jpe?g|gif|webp|tiff?|bmp)$/.test(ext) ? ` (despite the ${ext} name)` : '';
  if (s.kind === 'unsupported') {
    throw new SkipError(`unsupported format ${s.format}${named}; use PNG, JPEG, WebP, GIF or TIFF`);
  }
  if (s.kind === 'text') throw new SkipError(`not an image: text file${named}`);
  throw new SkipError(`not an image: unknown file type${named}`);
}

const pixelsStr = (px: number): string => (px >= 1e6 ? `${(px / 1e6).toFixed(1)} MP` : `${px} px`);

/**
 * The decoder's own words, when they can be trusted: libvips keeps one error buffer for all threads,
 * so with parallel decodes a message may belong to another file. A line naming another format's
 * loader is dropped, as is sharp's generic "treated as error" line.
 */
export function decoderDetail(message: string, format: ImageFormat): string {
  const keys: Record<ImageFormat, string> = { png: 'png', jpeg: 'jpeg', gif: 'gif', webp: 'webp', tiff: 'tiff' };
  for (const raw of message.split('\n')) {
    const line = raw.trim();
    if (line === '' || /treated as error/i.test(line)) continue;
    const m = /^([\w.-]+):\s*(.*)$/.exec(line);
    if (m && !m[1].toLowerCase().includes(keys[format])) continue;
    // "Input file has corrupt header:" whose detail line was another loader's: no dangling colon.
    const text = (m ? m[2] : line).replace(/[\s:]+$/, '').trim();
    if (text !== '') return text.slice(0, 160);
  }
  return '';
}

function decodeFailure(format: ImageFormat, e: unknown): SkipError {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Input file is missing/i.test(msg)) return new SkipError('file disappeared while loading');
  if (/permission denied/i.test(msg)) return new SkipError('unreadable: permission denied');
  const detail = decoderDetail(msg, format);
  return new SkipError(`corrupt or truncated ${FORMAT_NAMES[format]}${detail ? `: ${detail}` : ''}`);
}

/**
 * A valid image the resampler cannot bring to the target size (a 1 x 64,000,000 PNG): said so, with its
 * size, rather than called corrupt. Null when the header cannot be read or the failure is the loader's.
 */
async function unresizable(input: Buffer | string, msg: string, width: number, height: number): Promise<SkipError | null> {
  if (!/affine|out of range|reduce|shrink|resize/i.test(msg) || /load/i.test(msg)) return null;
  const m = await sharp(input, { limitInputPixels: false })
    .metadata()
    .catch(() => null);
  if (!m?.width || !m.height) return null;
  return new SkipError(`cannot be resized to ${width}x${height}: the image is ${m.width}x${m.height} pixels (too large or too narrow)`);
}

async function overLimit(input: Buffer | string, maxPixels: number): Promise<SkipError> {
  try {
    const m = await sharp(input, { limitInputPixels: false }).metadata();
    const w = m.width ?? 0;
    const h = m.height ?? 0;
    return new SkipError(`over the pixel limit: ${w}x${h} (${pixelsStr(w * h)}) > ${pixelsStr(maxPixels)}`);
  } catch {
    return new SkipError(`over the pixel limit of ${pixelsStr(maxPixels)}`);
  }
}

/**
 * Decode `path` (size from its stat) into out[offset .. offset + channels*height*width).
 * Returns the format; throws SkipError with the reason when the file cannot be used.
 */
export async function decodeInto(
  path: string,
  size: number,
  spec: DecodeSpec,
  out: Uint8Array,
  offset: number,
): Promise<ImageFormat> {
  return decodeIdentified(await identify(path, size), spec, out, offset);
}

/**
 * Identify an image held in memory (a file dropped on the app arrives as its bytes, never a path):
 * the same sniffing and refusals as a file on disk; `name` only words the reasons.
 */
export function identifyBytes(bytes: Uint8Array, name = ''): Identified {
  if (bytes.length === 0) throw new SkipError('empty file (0 bytes)');
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const s = sniff(buf.subarray(0, SNIFF_BYTES));
  if (s.kind === 'image') return { format: s.format, head: buf.subarray(0, SNIFF_BYTES), input: buf };
  const ext = /\.[^./\\]+$/.exec(name)?.[0].toLowerCase() ?? '';
  const named = /^\.(png|jpe?g|gif|webp|tiff?|bmp)$/.test(ext) ? ` (despite the ${ext} name)` : '';
  if (s.kind === 'unsupported') throw new SkipError(`unsupported format ${s.format}${named}; use PNG, JPEG, WebP, GIF or TIFF`);
  if (s.kind === 'text') throw new SkipError(`not an image: text file${named}`);
  throw new SkipError(`not an image: unknown file type${named}`);
}

/** Decode an image's bytes into out[offset ..) exactly as decodeInto decodes a file; throws SkipError with the reason. */
export function decodeBytesInto(bytes: Uint8Array, name: string, spec: DecodeSpec, out: Uint8Array, offset: number): Promise<ImageFormat> {
  return decodeIdentified(identifyBytes(bytes, name), spec, out, offset);
}

async function decodeIdentified(id: Identified, spec: DecodeSpec, out: Uint8Array, offset: number): Promise<ImageFormat> {
  const { format, input, head } = id;
  const { width, height } = spec;
  const limit = Number.isFinite(spec.maxPixels) ? spec.maxPixels : false;

  // 16-bit input? PNG: the IHDR bit depth (byte 24); TIFF: ask the header; the others are 8-bit.
  let deep = format === 'png' && head[24] === 16;
  if (format === 'tiff') {
    try {
      const m = await sharp(input, { limitInputPixels: false }).metadata();
      deep = m.depth !== 'uchar' && m.depth !== 'char';
    } catch (e) {
      throw decodeFailure(format, e);
    }
  }

  let data: Buffer;
  let stride: number;
  try {
    const r = await sharp(input, { failOn: spec.failOn, limitInputPixels: limit })
      .autoOrient()
      .resize(width, height, { fit: spec.fit, background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .toColourspace(deep ? 'rgb16' : 'srgb')
      .raw({ depth: deep ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    stride = r.info.channels;
    if (r.info.width !== width || r.info.height !== height || (stride !== 3 && stride !== 4)) {
      throw new Error(`unexpected decoder output ${r.info.width}x${r.info.height}x${stride}`);
    }
    data = r.data;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/exceeds pixel limit/i.test(msg)) throw await overLimit(input, spec.maxPixels);
    throw (await unresizable(input, msg, width, height)) ?? decodeFailure(format, e);
  }
  const px = width * height;
  const values = px * stride;
  if (data.byteLength !== values * (deep ? 2 : 1)) throw new SkipError(`decoder returned ${data.byteLength} bytes for ${px} pixels`);
  let src: Uint8Array | Uint16Array;
  if (!deep) src = data;
  else if (data.byteOffset % 2 === 0) src = new Uint16Array(data.buffer, data.byteOffset, values);
  else src = new Uint16Array(new Uint8Array(data).buffer, 0, values); // unaligned: copy
  toPlanar(src, stride, px, spec.channels, spec.background, out, offset);
  return format;
}
