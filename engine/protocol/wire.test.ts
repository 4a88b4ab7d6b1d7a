import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame, encodeFrame } from './wire.js';

test('a frame round-trips typed arrays of every kind, at any offset, plus plain JSON', () => {
  const backing = new Uint8Array([9, 9, 1, 2, 3]);
  const msg = {
    id: 4,
    ok: true,
    result: {
      pixels: backing.subarray(2), // a view with a byte offset
      labels: new Int32Array([-1, 5, 7]),
      list: [new Float32Array([0.5, -2]), 'x', null, { deep: new Uint8Array(0) }],
      name: 'fünf',
    },
  };
  const back = decodeFrame(encodeFrame(msg)) as typeof msg;
  assert.deepEqual(back, msg);
  assert.ok(back.result.labels instanceof Int32Array);
  assert.ok(back.result.list[0] instanceof Float32Array);
  assert.deepEqual([...back.result.pixels], [1, 2, 3]);
});

test('bad frames and unserializable values are refused with a reason', () => {
  assert.throws(() => encodeFrame({ x: Number.NaN }), /non-finite/);
  assert.throws(() => decodeFrame(new Uint8Array(2)), /too short/);
  const f = encodeFrame({ a: new Uint8Array(64) });
  assert.throws(() => decodeFrame(f.subarray(0, f.length - 16)), /shorter than its arrays/);
  const lying = new Uint8Array(8);
  new DataView(lying.buffer).setUint32(0, 100, true);
  assert.throws(() => decodeFrame(lying), /shorter than its header/);
});
