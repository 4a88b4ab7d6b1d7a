/**
 * A small Protocol Buffers writer for the few ONNX messages an export needs (onnx.proto, IR version 8):
 * ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto and their parts.
 * Each message is a function returning its encoded bytes, so a model is built bottom up. Only the
 * wire types ONNX uses appear: varint (0), 32-bit (5) and length-delimited (2). Repeated numbers are
 * written one field each (unpacked), which every protobuf reader accepts for proto2 files.
 */

/** Encoded bytes of a message, or of a part of one, as a list of chunks joined once at the end. */
export type Bytes = Uint8Array;

const text = new TextEncoder();

/** An unsigned varint; a negative int64 as its 64-bit two's complement (10 bytes). */
export function varint(v: number | bigint): Bytes {
  let n = BigInt(v);
  if (n < 0n) n += 1n << 64n;
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return Uint8Array.from(out);
}

export function concat(parts: readonly Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const key = (field: number, wire: number): Bytes => varint((field << 3) | wire);

/** Field helpers: each returns the key and the value's bytes. */
export const field = {
  int: (f: number, v: number | bigint): Bytes => concat([key(f, 0), varint(v)]),
  float: (f: number, v: number): Bytes => {
    const b = new Uint8Array(5);
    b.set(key(f, 5));
    new DataView(b.buffer).setFloat32(1, v, true);
    return b;
  },
  bytes: (f: number, v: Bytes): Bytes => concat([key(f, 2), varint(v.length), v]),
  string: (f: number, v: string): Bytes => field.bytes(f, text.encode(v)),
  message: (f: number, v: Bytes): Bytes => field.bytes(f, v),
};

/** TensorProto.DataType values used here. */
export const DTYPE = { FLOAT: 1, INT64: 7 } as const;

/** TensorProto with raw little-endian data (field 9). */
export function tensorProto(name: string, dims: readonly number[], dtype: number, raw: Bytes): Bytes {
  return concat([...dims.map((d) => field.int(1, d)), field.int(2, dtype), field.string(8, name), field.bytes(9, raw)]);
}

export function floatTensor(name: string, dims: readonly number[], values: Float32Array): Bytes {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return tensorProto(name, dims, DTYPE.FLOAT, raw);
}

export function int64Tensor(name: string, values: readonly number[]): Bytes {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return tensorProto(name, [values.length], DTYPE.INT64, raw);
}

/** An attribute value: a number is INT unless marked as float; arrays are INTS or FLOATS. */
export type AttrValue = { i: number } | { f: number } | { ints: readonly number[] } | { floats: readonly number[] } | { s: string };

export function attribute(name: string, v: AttrValue): Bytes {
  // AttributeProto: name 1, f 2, i 3, s 4, floats 7, ints 8, type 20 (FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7).
  if ('i' in v) return concat([field.string(1, name), field.int(3, v.i), field.int(20, 2)]);
  if ('f' in v) return concat([field.string(1, name), field.float(2, v.f), field.int(20, 1)]);
  if ('s' in v) return concat([field.string(1, name), field.string(4, v.s), field.int(20, 3)]);
  if ('ints' in v) return concat([field.string(1, name), ...v.ints.map((x) => field.int(8, x)), field.int(20, 7)]);
  return concat([field.string(1, name), ...v.floats.map((x) => field.float(7, x)), field.int(20, 6)]);
}

export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attrs?: Record<string, AttrValue>;
}

export function nodeProto(n: NodeSpec): Bytes {
  // NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.
  return concat([
    ...n.inputs.map((s) => field.string(1, s)),
    ...n.outputs.map((s) => field.string(2, s)),
    field.string(3, n.name),
    field.string(4, n.op),
    ...Object.entries(n.attrs ?? {}).map(([k, v]) => field.message(5, attribute(k, v))),
  ]);
}

/** ValueInfoProto of a float tensor; a string dimension is symbolic (the batch). */
export function valueInfo(name: string, dims: readonly (number | string)[]): Bytes {
  const dim = (d: number | string) => field.message(1, typeof d === 'string' ? field.string(2, d) : field.int(1, d));
  const shape = concat(dims.map(dim));
  const tensorType = concat([field.int(1, DTYPE.FLOAT), field.message(2, shape)]);
  return concat([field.string(1, name), field.message(2, field.message(1, tensorType))]);
}

export interface GraphSpec {
  name: string;
  nodes: readonly NodeSpec[];
  initializers: readonly Bytes[];
  inputs: readonly Bytes[];
  outputs: readonly Bytes[];
  doc?: string;
}

export function graphProto(g: GraphSpec): Bytes {
  // GraphProto: node 1, name 2, initializer 5, doc_string 10, input 11, output 12.
  return concat([
    ...g.nodes.map((n) => field.message(1, nodeProto(n))),
    field.string(2, g.name),
    ...g.initializers.map((t) => field.message(5, t)),
    ...(g.doc ? [field.string(10, g.doc)] : []),
    ...g.inputs.map((v) => field.message(11, v)),
    ...g.outputs.map((v) => field.message(12, v)),
  ]);
}

export interface ModelSpec {
  irVersion: number;
  opset: number;
  producer: string;
  producerVersion: string;
  graph: Bytes;
  doc?: string;
  metadata?: Record<string, string>;
}

export function modelProto(m: ModelSpec): Bytes {
  // ModelProto: ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7,
  // opset_import 8 (OperatorSetIdProto: domain 1, version 2), metadata_props 14 (key 1, value 2).
  return concat([
    field.int(1, m.irVersion),
    field.string(2, m.producer),
    field.string(3, m.producerVersion),
    ...(m.doc ? [field.string(6, m.doc)] : []),
    field.message(7, m.graph),
    field.message(8, concat([field.string(1, ''), field.int(2, m.opset)])),
    ...Object.entries(m.metadata ?? {}).map(([k, v]) => field.message(14, concat([field.string(1, k), field.string(2, v)]))),
  ]);
}
