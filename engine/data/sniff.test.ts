import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decoderDetail, errnoReason } from './decode.js';
import { sniff } from './sniff.js';

const b = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? Array.from(p, (c) => c.charCodeAt(0)) : p)));

describe('sniff', () => {
  it('recognizes the five decoded formats by their magic bytes', () => {
    assert.deepEqual(sniff(b([0x89], 'PNG', [13, 10, 26, 10, 0, 0])), { kind: 'image', format: 'png' });
    assert.deepEqual(sniff(b([0xff, 0xd8, 0xff, 0xe0])), { kind: 'image', format: 'jpeg' });
    assert.deepEqual(sniff(b('GIF89a', [1, 0])), { kind: 'image', format: 'gif' });
    assert.deepEqual(sniff(b('GIF87a')), { kind: 'image', format: 'gif' });
    assert.deepEqual(sniff(b('RIFF', [1, 2, 3, 4], 'WEBPVP8 ')), { kind: 'image', format: 'webp' });
    assert.deepEqual(sniff(b('II', [42, 0, 8, 0])), { kind: 'image', format: 'tiff' });
    assert.deepEqual(sniff(b('MM', [0, 42, 0, 0])), { kind: 'image', format: 'tiff' });
  });

  it('a RIFF that is not WebP (a WAV file) is not an image', () => {
    assert.notEqual(sniff(b('RIFF', [1, 2, 3, 4], 'WAVEfmt ', [0, 0, 1])).kind, 'image');
  });

  it('names common formats it does not decode', () => {
    assert.deepEqual(sniff(b('BM', new Array(20).fill(0))), { kind: 'unsupported', format: 'BMP' });
    assert.deepEqual(sniff(b([0, 0, 0, 28], 'ftypheic', [0, 0])), { kind: 'unsupported', format: 'HEIC' });
    assert.deepEqual(sniff(b([0, 0, 0, 28], 'ftypavif', [0, 0])), { kind: 'unsupported', format: 'AVIF' });
    assert.deepEqual(sniff(b('%PDF-1.7\n')), { kind: 'unsupported', format: 'PDF' });
    assert.deepEqual(sniff(b('<svg xmlns="http://www.w3.org/2000/svg">')), { kind: 'unsupported', format: 'SVG' });
    assert.deepEqual(sniff(b([0, 0, 0, 28], 'ftypmp42')), { kind: 'unknown' }, 'a video is just not an image');
  });

  it('tells text from binary', () => {
    assert.deepEqual(sniff(b('hello, world\n')), { kind: 'text' });
    assert.deepEqual(sniff(new TextEncoder().encode('naïve café 画像')), { kind: 'text' });
    // a multi-byte character cut by the sample length is still text
    assert.deepEqual(sniff(new TextEncoder().encode('abc画').subarray(0, 5)), { kind: 'text' });
    assert.deepEqual(sniff(b([0, 1, 2, 3, 250, 251])), { kind: 'unknown' });
    assert.deepEqual(sniff(new Uint8Array(0)), { kind: 'unknown' });
  });
});

describe('skip reasons', () => {
  it('errno codes become short reasons', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    assert.equal(errnoReason(err('EACCES')), 'unreadable: permission denied');
    assert.equal(errnoReason(err('EPERM')), 'unreadable: permission denied');
    assert.equal(errnoReason(err('ENOENT')), 'file disappeared while loading');
    assert.equal(errnoReason(err('EIO')), 'unreadable: EIO');
  });

  it('decoder detail keeps the line from the right loader only', () => {
    assert.equal(decoderDetail('VipsJpeg: Corrupt JPEG data: bad Huffman code', 'jpeg'), 'Corrupt JPEG data: bad Huffman code');
    assert.equal(decoderDetail('VipsJpeg: premature end of JPEG image', 'png'), '', 'a JPEG message is not about a PNG');
    assert.equal(decoderDetail('Warning treated as error due to failOn setting\nvipspng: libpng read error', 'png'), 'libpng read error');
    assert.equal(decoderDetail('Warning treated as error due to failOn setting', 'gif'), '');
  });
});
