/**
 * Row biases of dense-shaped matrices (a dense layer's [batch, units] output, a recurrent layer's
 * [steps * batch, gates * units] pre-activations): y[i, j] += b[j], and the bias gradient
 * out[j] += sum over i of d[i, j], rows in order. In WebAssembly (f32x4 over columns) when the matrix is
 * resident in the kernel memory (an arena's array: no copy), else the TypeScript loops. Both do the same
 * float32 additions in the same order (a float32 sum computed in double and rounded once is the float32
 * sum), so the results are bit-identical whichever runs.
 */
import { wasmActive } from './backend.js';
import { put, reserve, resetHeap, residentOffset, take } from './wasm/runtime.js';

/** Below this many values the loop costs less than a kernel call. */
const MIN_VALUES = 1024;

function check(what: string, m: Float32Array, rows: number, cols: number, v: Float32Array): void {
  if (m.length < rows * cols || v.length < cols) throw new Error(`${what}: needs ${rows} x ${cols} values and ${cols} biases, has ${m.length} and ${v.length}`);
}

/** y[i, j] += b[j] for a rows x cols matrix y. */
export function addRowBias(y: Float32Array, rows: number, cols: number, b: Float32Array): void {
  check('addRowBias', y, rows, cols, b);
  const h = rows * cols >= MIN_VALUES ? wasmActive() : null;
  const py = h ? residentOffset(h, y) : -1;
  if (h && py >= 0) {
    resetHeap(h);
    const pb = reserve(h, cols);
    put(h, pb, b, 0, cols);
    h.fn.addRowBias(py, rows, cols, pb);
    return;
  }
  addRowBiasTs(y, rows, cols, b);
}

/** out[j] += d[i, j] over the rows of a rows x cols matrix d, first row first. */
export function sumRowsInto(d: Float32Array, rows: number, cols: number, out: Float32Array): void {
  check('sumRowsInto', d, rows, cols, out);
  const h = rows * cols >= MIN_VALUES ? wasmActive() : null;
  const pd = h ? residentOffset(h, d) : -1;
  if (h && pd >= 0) {
    resetHeap(h);
    const r = residentOffset(h, out);
    const po = r >= 0 ? r : reserve(h, cols);
    if (r < 0) put(h, po, out, 0, cols);
    h.fn.sumRowsInto(pd, rows, cols, po);
    if (r < 0) take(h, po, out, 0, cols);
    return;
  }
  sumRowsIntoTs(d, rows, cols, out);
}

export function addRowBiasTs(y: Float32Array, rows: number, cols: number, b: Float32Array): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) y[i * cols + j] += b[j];
}

export function sumRowsIntoTs(d: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j] += d[i * cols + j];
}
