/**
 * Row biases: the TypeScript loops by hand, then the WebAssembly kernels (run on resident matrices, as
 * an arena's are) against them bit for bit, on widths that take every path (16-column blocks, 4-column
 * quads, single columns) and on a gradient that is not resident.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { randomArray } from '../testing/numeric.js';
import { wasmActive } from './backend.js';
import { addRowBias, addRowBiasTs, sumRowsInto, sumRowsIntoTs } from './bias.js';
import { arenaZeros } from './resident.js';
import { residentOffset } from './wasm/runtime.js';

test('row biases (TypeScript): y += b per row, out += the column sums', () => {
  const y = new Float32Array([1, 2, 3, 4, 5, 6]);
  addRowBiasTs(y, 2, 3, new Float32Array([10, 20, 30]));
  assert.deepEqual([...y], [11, 22, 33, 14, 25, 36]);
  const out = new Float32Array([0.5, 0, -1]);
  sumRowsIntoTs(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3, out);
  assert.deepEqual([...out], [5.5, 7, 8]);
});

const bits = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

test('row biases in WebAssembly on resident matrices equal the TypeScript loops bit for bit', (t) => {
  const h = wasmActive();
  if (!h) return t.skip('the WebAssembly kernels do not load here');
  const rng = new Rng(4);
  for (const [rows, cols] of [[64, 256], [37, 33], [1792, 256], [50, 21], [300, 5], [4, 1024]]) {
    const m = arenaZeros(rows * cols);
    assert.ok(residentOffset(h, m) >= 0, 'the matrix is resident');
    // values of mixed sizes, so the order of the additions shows in the rounding
    m.set(randomArray(rng, rows * cols).map((v, i) => v * (i % 7 === 0 ? 1e4 : 1)));
    const b = randomArray(rng, cols);
    const want = new Float32Array(m);
    addRowBiasTs(want, rows, cols, b);
    const got = m;
    addRowBias(got, rows, cols, b);
    assert.deepEqual(bits(got), bits(want), `addRowBias ${rows} x ${cols}`);
    const out0 = randomArray(rng, cols);
    const wantSum = new Float32Array(out0);
    sumRowsIntoTs(got, rows, cols, wantSum);
    const gotSum = new Float32Array(out0); // an ordinary array: copied in and out
    sumRowsInto(got, rows, cols, gotSum);
    assert.deepEqual(bits(gotSum), bits(wantSum), `sumRowsInto ${rows} x ${cols}`);
    const residentSum = arenaZeros(cols);
    residentSum.set(out0);
    sumRowsInto(got, rows, cols, residentSum);
    assert.deepEqual(bits(residentSum), bits(wantSum), `sumRowsInto into a resident gradient, ${rows} x ${cols}`);
  }
});

test('row biases refuse operands that are too short', () => {
  assert.throws(() => addRowBias(new Float32Array(5), 2, 3, new Float32Array(3)), /addRowBias: needs 2 x 3 values and 3 biases, has 5 and 3/);
  assert.throws(() => sumRowsInto(new Float32Array(6), 2, 3, new Float32Array(2)), /sumRowsInto/);
});
