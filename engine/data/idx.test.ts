import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseIdx, readIdx, readIdxImages } from './idx.js';
import { tempDir } from './testkit.js';

const header = (type: number, dims: number[]): number[] => [0, 0, type, dims.length, ...dims.flatMap((d) => [d >>> 24, (d >>> 16) & 255, (d >>> 8) & 255, d & 255])];

describe('IDX', () => {
  it('parses uint8 images', () => {
    const r = parseIdx(Uint8Array.from([...header(8, [2, 1, 3]), 1, 2, 3, 4, 5, 6]));
    assert.deepEqual(r.dims, [2, 1, 3]);
    assert.deepEqual(r.data, Uint8Array.from([1, 2, 3, 4, 5, 6]));
  });

  it('parses big-endian int16, int32 and float32', () => {
    assert.deepEqual(parseIdx(Uint8Array.from([...header(0x0b, [2]), 0xff, 0xfe, 0x01, 0x00])).data, Int16Array.from([-2, 256]));
    assert.deepEqual(parseIdx(Uint8Array.from([...header(0x0c, [1]), 0, 1, 0, 0])).data, Int32Array.from([65536]));
    assert.deepEqual(parseIdx(Uint8Array.from([...header(0x0d, [1]), 0x3f, 0xc0, 0, 0])).data, Float32Array.from([1.5]));
  });

  it('refuses bad files with reasons', () => {
    assert.throws(() => parseIdx(Uint8Array.from([1, 2, 3, 4])), /not an IDX file/);
    assert.throws(() => parseIdx(Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 1, 0])), /unknown IDX value type 0x42/);
    assert.throws(() => parseIdx(Uint8Array.from([...header(8, [4]), 1, 2])), /promises 4 values/);
  });

  it('reads gzipped and plain files, and image/label pairs', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(join(dir, 'im.gz'), gzipSync(Uint8Array.from([...header(8, [2, 1, 2]), 9, 8, 7, 6])));
      await writeFile(join(dir, 'lb'), Uint8Array.from([...header(8, [2]), 3, 4]));
      assert.deepEqual((await readIdx(join(dir, 'im.gz'))).dims, [2, 1, 2]);
      const d = await readIdxImages(join(dir, 'im.gz'), join(dir, 'lb'));
      assert.deepEqual({ ...d, pixels: [...d.pixels], labels: [...d.labels] }, { n: 2, height: 1, width: 2, pixels: [9, 8, 7, 6], labels: [3, 4] });
      await writeFile(join(dir, 'lb3'), Uint8Array.from([...header(8, [3]), 3, 4, 5]));
      await assert.rejects(readIdxImages(join(dir, 'im.gz'), join(dir, 'lb3')), /2 images but 3 labels/);
    } finally {
      await cleanup();
    }
  });
});
