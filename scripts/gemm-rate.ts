/**
 * Locus's WebAssembly GEMM alone, in GFLOP/s of wall clock: C = A B on M x K and K x N float32 operands,
 * 40 products a sample after 20 warm-up ones, five samples and their median.
 *
 *   npx tsx scripts/gemm-rate.ts [--threads 1] [--size 512]
 *
 * PyTorch's twin (OpenBLAS) on the same shape, in the same minute:
 *   OMP_NUM_THREADS=1 /usr/bin/python3 -c "import torch, time; torch.set_num_threads(1); a = torch.rand(512, 512);
 *     b = torch.rand(512, 512); [a @ b for _ in range(20)]; t = time.perf_counter(); [a @ b for _ in range(40)];
 *     print(2 * 512 ** 3 * 40 / (time.perf_counter() - t) / 1e9)"
 */
import { setKernelBackend, wasmActive } from '../engine/kernels/backend.js';
import { gemmWasm } from '../engine/kernels/gemmWasm.js';
import { kernelThreads, setKernelThreads } from '../engine/kernels/wasm/threads.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1 || v > 4096) {
    console.error(`gemm-rate: --${name} takes an integer from 1 to 4096`);
    process.exit(2);
  }
  return v;
};
const threads = opt('threads', 1);
const s = opt('size', 512);

setKernelBackend('wasm');
setKernelThreads(threads);
const h = wasmActive();
if (!h) throw new Error('gemm-rate: the WebAssembly kernels did not load');
const a = new Float32Array(s * s).map(() => Math.random());
const b = new Float32Array(s * s).map(() => Math.random());
const c = new Float32Array(s * s);
const product = () => gemmWasm(h, false, false, s, s, s, 1, a, 0, b, 0, 0, c, 0);
for (let i = 0; i < 20; i++) product();
const rates: number[] = [];
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  for (let i = 0; i < 40; i++) product();
  rates.push((2 * s ** 3 * 40) / (performance.now() - t0) / 1e6);
}
const median = [...rates].sort((p, q) => p - q)[2];
console.log(`gemm ${s}x${s}x${s}, ${kernelThreads(h)} thread(s): ${median.toFixed(1)} GFLOP/s (samples ${rates.map((r) => r.toFixed(1)).join(', ')})`);
process.exit(0);
