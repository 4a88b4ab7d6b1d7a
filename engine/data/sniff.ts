/**
 * Identify a file from its first bytes, not its name: a "photo.jpg" that holds text is not an image,
 * and a PNG named ".jpg" is still a PNG. Only the five formats we decode are accepted; a few common
 * others are named so the skip reason can say what the file is.
 */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'tiff';

export type Sniffed =
  | { kind: 'image'; format: ImageFormat }
  | { kind: 'unsupported'; format: string }
  | { kind: 'text' }
  | { kind: 'unknown' };

/** Bytes needed by sniff(). */
export const SNIFF_BYTES = 32;

export const SUPPORTED_FORMATS: readonly ImageFormat[] = ['png', 'jpeg', 'webp', 'gif', 'tiff'];

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

export function sniff(b: Uint8Array): Sniffed {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'image', format: 'png' };
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'jpeg' };
  if (startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a'))) return { kind: 'image', format: 'gif' };
  if (startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8)) return { kind: 'image', format: 'webp' };
  // TIFF and BigTIFF, little and big endian
  if (
    startsWith(b, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(b, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(b, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return { kind: 'image', format: 'tiff' };
  }
  const other = otherFormat(b);
  if (other) return { kind: 'unsupported', format: other };
  if (looksLikeText(b)) return { kind: 'text' };
  return { kind: 'unknown' };
}

function otherFormat(b: Uint8Array): string | null {
  if (startsWith(b, ascii('BM')) && b.length >= 14) return 'BMP';
  if (startsWith(b, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...b.subarray(8, 12));
    if (/^avi[fs]$/.test(brand)) return 'AVIF';
    if (/^(hei[cfsx]|mif1|msf1|hev[cx])$/.test(brand)) return 'HEIC';
    return null; // video containers (mp4, mov) share this box; fall through to "not an image"
  }
  if (startsWith(b, ascii('%PDF'))) return 'PDF';
  if (startsWith(b, ascii('8BPS'))) return 'PSD';
  if (startsWith(b, [0x00, 0x00, 0x01, 0x00]) && b.length >= 6 && b[4] + b[5] > 0) return 'ICO';
  if (startsWith(b, [0xff, 0x0a]) || startsWith(b, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'JPEG XL';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(b).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'SVG';
  return null;
}

/** Printable UTF-8 with no NUL and few control characters. */
function looksLikeText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  let n = b.length;
  // a multi-byte UTF-8 character may be cut at the end of the sample
  while (n > 0 && n > b.length - 3 && (b[n - 1] & 0xc0) === 0x80) n--;
  if (n > 0 && b[n - 1] >= 0xc0) n--;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, n));
  } catch {
    return false;
  }
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) return false;
    if (c === 0x7f) return false;
  }
  return true;
}
