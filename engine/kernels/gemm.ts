/**
 * General matrix multiply on row-major Float32Array matrices:
 *
 *   C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C
 *
 * op(A) is A (stored m x k) or, with transA, A^T (A stored k x m); likewise op(B) is B (k x n) or
 * B^T (B stored n x k). Each matrix starts at its offset in its array and is densely packed (the leading
 * dimension is its row length), so a batch of matrices can live in one array without subarray views.
 *
 * Shape of the code (as in BLIS/GotoBLAS): C is visited in blocks; a KC-deep slab of op(B) is packed
 * into 4-column panels and an MC x KC block of op(A) into 4-row panels (packing also resolves the
 * transposes), then a 4x4 micro-kernel keeps sixteen accumulators in registers while it streams both
 * panels. beta is applied once up front (beta = 0 overwrites, so NaN or garbage in C is ignored).
 * The packing buffers are module scratch grown on demand: the function allocates nothing in steady state.
 *
 * gemm() runs the WebAssembly SIMD version (gemmWasm.ts, a 4x8 tile of f32x4 accumulators) when that
 * backend is active (backend.ts) and this TypeScript version, gemmTs(), otherwise; gemmTs stays the
 * reference the wasm path is tested against.
 */
import { wasmActive } from './backend.js';
import { gemmWasm } from './gemmWasm.js';

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 128;
const NC = 1024;

let packA = new Float32Array(MC * KC);
let packB = new Float32Array(KC * NC);

export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  beta: number,
  c: Float32Array,
  cOff: number,
): void {
  const h = wasmActive();
  if (h === null) return gemmTs(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
  checkArgs(m, n, k, a, aOff, b, bOff, c, cOff);
  gemmWasm(h, transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
}

/** The TypeScript GEMM (same contract as gemm), whatever the active backend. */
export function gemmTs(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  beta: number,
  c: Float32Array,
  cOff: number,
): void {
  checkArgs(m, n, k, a, aOff, b, bOff, c, cOff);
  scaleC(c, cOff, m * n, beta);
  if (m === 0 || n === 0 || k === 0 || alpha === 0) return;

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanelsB(transB, b, bOff, n, k, pc, kc, jc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packPanelsA(transA, a, aOff, m, k, ic, mc, pc, kc);
        macroKernel(mc, nc, kc, alpha, c, cOff + ic * n + jc, n);
      }
    }
  }
}

export function checkArgs(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  c: Float32Array,
  cOff: number,
): void {
  if (!(Number.isInteger(m) && Number.isInteger(n) && Number.isInteger(k)) || m < 0 || n < 0 || k < 0) {
    throw new Error(`gemm: sizes must be non-negative integers, got m=${m} n=${n} k=${k}`);
  }
  if (aOff < 0 || aOff + m * k > a.length) throw new Error(`gemm: A needs ${m * k} values from offset ${aOff}, has ${a.length}`);
  if (bOff < 0 || bOff + k * n > b.length) throw new Error(`gemm: B needs ${k * n} values from offset ${bOff}, has ${b.length}`);
  if (cOff < 0 || cOff + m * n > c.length) throw new Error(`gemm: C needs ${m * n} values from offset ${cOff}, has ${c.length}`);
}

function scaleC(c: Float32Array, off: number, len: number, beta: number): void {
  if (beta === 1) return;
  if (beta === 0) {
    c.fill(0, off, off + len);
    return;
  }
  for (let i = off; i < off + len; i++) c[i] *= beta;
}

/** Pack op(B)[pc:pc+kc, jc:jc+nc] as ceil(nc/4) panels of kc rows x 4 columns, zero-padded. */
function packPanelsB(
  transB: boolean,
  b: Float32Array,
  bOff: number,
  n: number,
  k: number,
  pc: number,
  kc: number,
  jc: number,
  nc: number,
): void {
  const panels = Math.ceil(nc / NR);
  if (packB.length < panels * NR * kc) packB = new Float32Array(panels * NR * kc);
  const pb = packB;
  let dst = 0;
  for (let jp = 0; jp < nc; jp += NR) {
    const cols = Math.min(NR, nc - jp);
    const j0 = jc + jp;
    if (!transB) {
      // element (p, j) at b[bOff + p*n + j]
      let src = bOff + pc * n + j0;
      if (cols === NR) {
        for (let p = 0; p < kc; p++, src += n, dst += NR) {
          pb[dst] = b[src];
          pb[dst + 1] = b[src + 1];
          pb[dst + 2] = b[src + 2];
          pb[dst + 3] = b[src + 3];
        }
      } else {
        for (let p = 0; p < kc; p++, src += n, dst += NR) {
          for (let q = 0; q < NR; q++) pb[dst + q] = q < cols ? b[src + q] : 0;
        }
      }
    } else {
      // element (p, j) at b[bOff + j*k + p]
      const base = bOff + j0 * k + pc;
      if (cols === NR) {
        for (let p = 0; p < kc; p++, dst += NR) {
          pb[dst] = b[base + p];
          pb[dst + 1] = b[base + k + p];
          pb[dst + 2] = b[base + 2 * k + p];
          pb[dst + 3] = b[base + 3 * k + p];
        }
      } else {
        for (let p = 0; p < kc; p++, dst += NR) {
          for (let q = 0; q < NR; q++) pb[dst + q] = q < cols ? b[base + q * k + p] : 0;
        }
      }
    }
  }
}

/** Pack op(A)[ic:ic+mc, pc:pc+kc] as ceil(mc/4) panels of kc columns x 4 rows, zero-padded. */
function packPanelsA(
  transA: boolean,
  a: Float32Array,
  aOff: number,
  m: number,
  k: number,
  ic: number,
  mc: number,
  pc: number,
  kc: number,
): void {
  const panels = Math.ceil(mc / MR);
  if (packA.length < panels * MR * kc) packA = new Float32Array(panels * MR * kc);
  const pa = packA;
  let dst = 0;
  for (let ip = 0; ip < mc; ip += MR) {
    const rows = Math.min(MR, mc - ip);
    const i0 = ic + ip;
    if (!transA) {
      // element (i, p) at a[aOff + i*k + p]
      const base = aOff + i0 * k + pc;
      if (rows === MR) {
        for (let p = 0; p < kc; p++, dst += MR) {
          pa[dst] = a[base + p];
          pa[dst + 1] = a[base + k + p];
          pa[dst + 2] = a[base + 2 * k + p];
          pa[dst + 3] = a[base + 3 * k + p];
        }
      } else {
        for (let p = 0; p < kc; p++, dst += MR) {
          for (let r = 0; r < MR; r++) pa[dst + r] = r < rows ? a[base + r * k + p] : 0;
        }
      }
    } else {
      // element (i, p) at a[aOff + p*m + i]
      let src = aOff + pc * m + i0;
      if (rows === MR) {
        for (let p = 0; p < kc; p++, src += m, dst += MR) {
          pa[dst] = a[src];
          pa[dst + 1] = a[src + 1];
          pa[dst + 2] = a[src + 2];
          pa[dst + 3] = a[src + 3];
        }
      } else {
        for (let p = 0; p < kc; p++, src += m, dst += MR) {
          for (let r = 0; r < MR; r++) pa[dst + r] = r < rows ? a[src + r] : 0;
        }
      }
    }
  }
}

/** C block (mc x nc at cOff, row length ldc) += alpha * packed A block * packed B slab. */
function macroKernel(mc: number, nc: number, kc: number, alpha: number, c: Float32Array, cOff: number, ldc: number): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = Math.min(NR, nc - jr);
    const bPanel = jr * kc;
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = Math.min(MR, mc - ir);
      microKernel(kc, ir * kc, bPanel, alpha, c, cOff + ir * ldc + jr, ldc, mr, nr);
    }
  }
}

/** The 4x4 register tile: sixteen accumulators over kc rank-1 updates of packed panels. */
function microKernel(
  kc: number,
  aIdx: number,
  bIdx: number,
  alpha: number,
  c: Float32Array,
  cIdx: number,
  ldc: number,
  mr: number,
  nr: number,
): void {
  const pa = packA;
  const pb = packB;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const end = aIdx + kc * MR;
  for (; aIdx < end; aIdx += MR, bIdx += NR) {
    const a0 = pa[aIdx], a1 = pa[aIdx + 1], a2 = pa[aIdx + 2], a3 = pa[aIdx + 3];
    const b0 = pb[bIdx], b1 = pb[bIdx + 1], b2 = pb[bIdx + 2], b3 = pb[bIdx + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (mr === MR && nr === NR) {
    let i = cIdx;
    c[i] += alpha * c00; c[i + 1] += alpha * c01; c[i + 2] += alpha * c02; c[i + 3] += alpha * c03;
    i += ldc;
    c[i] += alpha * c10; c[i + 1] += alpha * c11; c[i + 2] += alpha * c12; c[i + 3] += alpha * c13;
    i += ldc;
    c[i] += alpha * c20; c[i + 1] += alpha * c21; c[i + 2] += alpha * c22; c[i + 3] += alpha * c23;
    i += ldc;
    c[i] += alpha * c30; c[i + 1] += alpha * c31; c[i + 2] += alpha * c32; c[i + 3] += alpha * c33;
    return;
  }
  // Edge tile: write only the valid mr x nr corner.
  const t = edgeTile;
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
  t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
  t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
  t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
  for (let r = 0; r < mr; r++) {
    for (let q = 0; q < nr; q++) c[cIdx + r * ldc + q] += alpha * t[r * NR + q];
  }
}

const edgeTile = new Float64Array(MR * NR);
