/**
 * The byte format of contract messages on a WebSocket (the browser host). Electron's IPC and Node's
 * `advanced` child-process channel clone typed arrays natively; a socket carries bytes, so a message is
 * sent as one binary frame:
 *
 *   [u32 LE: JSON length][JSON, UTF-8][padding to 8 bytes][typed array bytes, each padded to 8]
 *
 * where each Uint8Array / Int32Array / Float32Array in the message is replaced in the JSON by
 * {"$bin": index, "type": "u8" | "i32" | "f32", "length": n}. Decoding copies each array out, so the
 * result owns its buffers. Only plain objects, arrays, strings, finite numbers, booleans and null are
 * allowed besides those arrays; anything else is an error (never silently dropped).
 */

type Bin = Uint8Array | Int32Array | Float32Array;
const TYPES = { u8: Uint8Array, i32: Int32Array, f32: Float32Array } as const;
type BinType = keyof typeof TYPES;

function binType(x: unknown): BinType | null {
  const tag = Object.prototype.toString.call(x);
  if (tag === '[object Uint8Array]') return 'u8';
  if (tag === '[object Int32Array]') return 'i32';
  if (tag === '[object Float32Array]') return 'f32';
  return null;
}

const align8 = (n: number): number => (n + 7) & ~7;

export function encodeFrame(message: unknown): Uint8Array<ArrayBuffer> {
  const bins: Bin[] = [];
  const json = JSON.stringify(message, function (this: unknown, _key, value: unknown) {
    const t = binType(value);
    if (t) {
      bins.push(value as Bin);
      return { $bin: bins.length - 1, type: t, length: (value as Bin).length };
    }
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('wire: non-finite number');
    return value;
  });
  if (json === undefined) throw new Error('wire: message is not serializable');
  const head = new TextEncoder().encode(json);
  let size = align8(4 + head.length);
  for (const b of bins) size += align8(b.byteLength);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  let at = align8(4 + head.length);
  for (const b of bins) {
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), at);
    at += align8(b.byteLength);
  }
  return out;
}

export function decodeFrame(bytes: Uint8Array): unknown {
  if (bytes.length < 4) throw new Error('wire: frame too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = view.getUint32(0, true);
  if (4 + len > bytes.length) throw new Error('wire: frame shorter than its header says');
  const json = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(4, 4 + len));
  // Collect the binary placeholders in order of appearance, then cut the arrays out after the JSON.
  const slots: { type: BinType; length: number; index: number }[] = [];
  const message: unknown = JSON.parse(json, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && '$bin' in value) {
      const v = value as { $bin: unknown; type: unknown; length: unknown };
      if (typeof v.$bin !== 'number' || typeof v.length !== 'number' || !Number.isInteger(v.length) || v.length < 0) {
        throw new Error('wire: bad binary placeholder');
      }
      if (v.type !== 'u8' && v.type !== 'i32' && v.type !== 'f32') throw new Error('wire: bad binary type');
      const slot = { type: v.type as BinType, length: v.length, index: v.$bin };
      slots.push(slot);
      return slot;
    }
    return value;
  });
  slots.sort((a, b) => a.index - b.index);
  const arrays = new Map<object, Bin>();
  let at = align8(4 + len);
  slots.forEach((slot, i) => {
    if (slot.index !== i) throw new Error('wire: binary placeholders out of sequence');
    const Ctor = TYPES[slot.type];
    const byteLength = slot.length * Ctor.BYTES_PER_ELEMENT;
    if (at + byteLength > bytes.length) throw new Error('wire: frame shorter than its arrays');
    const copy = bytes.slice(at, at + byteLength); // slice copies into a fresh, aligned buffer
    arrays.set(slot, new Ctor(copy.buffer, 0, slot.length));
    at += align8(byteLength);
  });
  return slots.length === 0 ? message : replaceSlots(message, arrays);
}

function replaceSlots(x: unknown, arrays: Map<object, Bin>): unknown {
  if (typeof x !== 'object' || x === null) return x;
  const hit = arrays.get(x);
  if (hit) return hit;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) x[i] = replaceSlots(x[i], arrays);
    return x;
  }
  const o = x as Record<string, unknown>;
  for (const k of Object.keys(o)) o[k] = replaceSlots(o[k], arrays);
  return x;
}
