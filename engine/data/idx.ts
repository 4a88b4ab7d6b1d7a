/**
 * Read IDX files (the MNIST / Fashion-MNIST container), gzipped or not.
 * Header: two zero bytes, a type byte, the number of dimensions, then each dimension as a big-endian
 * uint32; the values follow, big-endian, row-major.
 */
import { readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface Idx {
  dims: number[];
  data: IdxData;
}

const TYPES: Record<number, { size: number; make: (n: number) => IdxData; get: (v: DataView, o: number) => number }> = {
  0x08: { size: 1, make: (n) => new Uint8Array(n), get: (v, o) => v.getUint8(o) },
  0x09: { size: 1, make: (n) => new Int8Array(n), get: (v, o) => v.getInt8(o) },
  0x0b: { size: 2, make: (n) => new Int16Array(n), get: (v, o) => v.getInt16(o) },
  0x0c: { size: 4, make: (n) => new Int32Array(n), get: (v, o) => v.getInt32(o) },
  0x0d: { size: 4, make: (n) => new Float32Array(n), get: (v, o) => v.getFloat32(o) },
  0x0e: { size: 8, make: (n) => new Float64Array(n), get: (v, o) => v.getFloat64(o) },
};

/** Parse an (already gunzipped) IDX buffer. */
export function parseIdx(buf: Uint8Array, name = 'idx data'): Idx {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new Error(`${name}: not an IDX file (bad magic number)`);
  const type = TYPES[buf[2]];
  if (!type) throw new Error(`${name}: unknown IDX value type 0x${buf[2].toString(16)}`);
  const nd = buf[3];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const start = 4 + 4 * nd;
  if (buf.length < start) throw new Error(`${name}: truncated IDX header`);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < nd; i++) {
    const d = view.getUint32(4 + 4 * i);
    dims.push(d);
    count *= d;
  }
  const expect = start + count * type.size;
  if (buf.length !== expect) {
    throw new Error(`${name}: the header promises ${count} values (${expect} bytes) but the file has ${buf.length} bytes`);
  }
  // uint8: a plain Uint8Array view of the values (no copy, and not a Node Buffer)
  if (buf[2] === 0x08) return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + start, count) };
  const data = type.make(count);
  for (let i = 0; i < count; i++) data[i] = type.get(view, start + i * type.size);
  return { dims, data };
}

/** Read an IDX file from disk; gzip (by its magic bytes) is undone first. */
export async function readIdx(path: string): Promise<Idx> {
  let buf: Uint8Array = await readFile(path);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = await gunzipAsync(buf);
  return parseIdx(buf, path);
}

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

/** The official class names, made safe as folder names ('T-shirt/top' becomes 'T-shirt_top'). */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt_top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle_boot',
]);

export interface IdxImages {
  n: number;
  height: number;
  width: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** Read a matching images + labels pair (e.g. train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz). */
export async function readIdxImages(imagesPath: string, labelsPath: string): Promise<IdxImages> {
  const [im, lb] = await Promise.all([readIdx(imagesPath), readIdx(labelsPath)]);
  if (im.dims.length !== 3 || !(im.data instanceof Uint8Array)) throw new Error(`${imagesPath}: expected uint8 images [n, h, w]`);
  if (lb.dims.length !== 1 || !(lb.data instanceof Uint8Array)) throw new Error(`${labelsPath}: expected uint8 labels [n]`);
  if (lb.dims[0] !== im.dims[0]) throw new Error(`${im.dims[0]} images but ${lb.dims[0]} labels`);
  return { n: im.dims[0], height: im.dims[1], width: im.dims[2], pixels: im.data, labels: lb.data };
}
