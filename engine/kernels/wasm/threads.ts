/**
 * Both cores (or more) for the WebAssembly kernels. Worker threads each run an instance of the same
 * module on the kernel heap's shared memory; a kernel call that is worth splitting is started on every
 * thread at once with the same arguments plus (tid, nt), and each does its share (kernels.as says how
 * each kernel splits; every split leaves each result value's arithmetic as in one thread, so results
 * are bit-identical for any thread count, and a seed reproduces on any machine).
 *
 * Synchronization is a shared control block driven with Atomics, not messages: the main thread writes
 * the kernel's index and arguments, bumps a sequence number and runs its own share; each worker spins
 * on the sequence number for a millisecond after its last job (a futex wake-up costs ~40 us on
 * this kind of virtual machine, a spinning hand-over under 1 us), then sleeps in Atomics.wait. The
 * main thread spins until every worker has published the same sequence number.
 *
 * The workers are started lazily, at the first kernel call (its resetHeap), and unref'd (they never
 * keep a process alive). Thread count: setKernelThreads(n), else LOCUS_THREADS, else min(4, the CPU count);
 * with the count automatic, calls go to the calling thread alone while other programs slow the workers
 * down (ContentionWatch).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { onResetHeap, reservePermanent, type WasmHeap } from './runtime.js';

/** The kernels that take (tid, nt); their index in this list is the job code the workers read. */
const KERNELS = [
  'gemm', 'conv2dForward', 'conv2dBackward', 'convTranspose2dForward', 'convTranspose2dBackward', 'addPartials', 'adamUpdate',
  'maxPoolForward', 'maxPoolBackward', 'batchNormForward', 'batchNormBackward', 'tanhForward', 'tanhBackward', 'conv2dBackwardInput',
  'leakyReluForwardShare', 'leakyReluBackwardShare', 'pairDots', 'nearestBlock', 'clusterSums', 'lloydBounded', 'lloydSparse', 'normsCodes',
  'lstmForward', 'lstmBackward', 'gruForward', 'gruBackward', 'rnnForward', 'rnnBackward', 'sumSquares',
  'rowSqDistances', 'somUpdate', 'screenOne',
] as const;
export type ThreadedKernel = (typeof KERNELS)[number];

const MAX_ARGS = 40;
// Int32 slots of the control block; the arguments follow as float64s at ARGS_BYTE.
const SEQ = 0;
const OP = 1;
const ARGC = 2;
const NT = 3;
const READY = 4;
const DONE = 16; // + tid
const FAILED = 48; // + tid
const ARGS_BYTE = 512;
/** A failed worker's error message, as UTF-16 code units (MSG_CHARS at most) from MSG_BYTE. */
const MSG_BYTE = ARGS_BYTE + MAX_ARGS * 8;
const MSG_CHARS = 300;
const CONTROL_BYTES = MSG_BYTE + MSG_CHARS * 2;
const MAX_THREADS = 16;
/**
 * How long a worker keeps spinning for the next job before it sleeps (ms). Within a training step the
 * next kernel call usually comes sooner; a longer spin only burns the core the user's window needs.
 * (Throughput with 0, 0.2, 1 and 3 ms differed by less than this machine's run-to-run noise.)
 */
const SPIN_MS = 1;
/** How long the main thread waits for a worker's share before it gives up on threads (ms). */
const STALL_MS = 120_000;

// The worker's whole program: no imports of ours, so it runs the same from tsx, an esbuild bundle or an
// Electron utility process. workerData: { module, memory, control, tid, scratch, kernels, spinMs }.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, tid, scratch, kernels, spinMs } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
ex.setScratch(scratch);
const fns = kernels.map((k) => ex[k]);
const ctl = new Int32Array(control);
const args = new Float64Array(control, ${ARGS_BYTE}, ${MAX_ARGS});
const call = [];
let seen = 0;
Atomics.store(ctl, ${READY} + tid, 1);
Atomics.notify(ctl, ${READY} + tid);
for (;;) {
  let seq = Atomics.load(ctl, ${SEQ});
  if (seq === seen) {
    const until = performance.now() + spinMs;
    for (let i = 0; seq === seen; i++) {
      if ((i & 1023) === 1023 && performance.now() > until) {
        Atomics.wait(ctl, ${SEQ}, seen);
      }
      seq = Atomics.load(ctl, ${SEQ});
    }
  }
  seen = seq;
  const op = Atomics.load(ctl, ${OP});
  if (op < 0) break;
  const argc = ctl[${ARGC}];
  call.length = 0;
  for (let i = 0; i < argc; i++) call.push(args[i]);
  call.push(tid, ctl[${NT}]);
  try {
    fns[op].apply(null, call);
  } catch (e) {
    const text = String(e && e.message ? e.message : e).slice(0, ${MSG_CHARS});
    const msg = new Uint16Array(control, ${MSG_BYTE}, ${MSG_CHARS});
    msg.fill(0);
    for (let i = 0; i < text.length; i++) msg[i] = text.charCodeAt(i);
    Atomics.store(ctl, ${FAILED} + tid, 1);
  }
  Atomics.store(ctl, ${DONE} + tid, seen);
  Atomics.notify(ctl, ${DONE} + tid);
}
`;

interface Pool {
  readonly workers: Worker[];
  readonly ctl: Int32Array;
  readonly args: Float64Array;
  seq: number;
}

const pools = new WeakMap<WasmHeap, Pool>();
const scratchOf = new WeakMap<WasmHeap, number[]>();
let wanted: number | null = null;
let disabledWhy = '';

/** The thread count asked for: setKernelThreads, else LOCUS_THREADS, else min(4, CPUs). */
export function wantedThreads(): number {
  if (wanted !== null) return wanted;
  const env = process.env.LOCUS_THREADS;
  if (env !== undefined && env !== '' && env !== 'auto') return parseThreads(env, 'LOCUS_THREADS');
  return Math.max(1, Math.min(4, availableParallelism()));
}

function parseThreads(v: unknown, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) throw new Error(`${what} must be an integer from 1 to ${MAX_THREADS}, got "${String(v)}"`);
  return n;
}

/**
 * Use n threads for the kernels from now on (1: the calling thread only). Running pools are stopped;
 * new ones start at the next call worth splitting (also after a failure switched threads off). Returns n.
 */
export function setKernelThreads(n: number | 'auto'): number {
  wanted = n === 'auto' ? null : parseThreads(n, 'kernel threads');
  watching = null;
  disabledWhy = '';
  stopPools();
  return wantedThreads();
}

/** Why threads were switched off after a failure ('' when they were not). */
export function threadsDisabledWhy(): string {
  return disabledWhy;
}

let allHeaps: WasmHeap[] = [];

function stopPools(): void {
  for (const h of allHeaps) {
    const p = pools.get(h);
    if (!p) continue;
    Atomics.store(p.ctl, OP, -1);
    Atomics.add(p.ctl, SEQ, 1);
    Atomics.notify(p.ctl, SEQ);
    for (const w of p.workers) void w.terminate();
    pools.delete(h);
  }
  allHeaps = [];
}

/**
 * Threads a call on h would use now; 1 when threads are off. Starts the pool if it is not running: at
 * the start of every resetHeap (so never while a call's operands are placed), or from outside a call.
 */
export function kernelThreads(h: WasmHeap): number {
  const p = pools.get(h);
  if (p) return p.workers.length + 1;
  const n = disabledWhy ? 1 : wantedThreads();
  if (n < 2) return 1;
  try {
    pools.set(h, startPool(h, n));
    allHeaps.push(h);
  } catch (e) {
    disabledWhy = `worker threads could not start: ${(e as Error).message}`;
    return 1;
  }
  return n;
}

onResetHeap((h) => void kernelThreads(h));

function startPool(h: WasmHeap, n: number): Pool {
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const ctl = new Int32Array(control);
  const workers: Worker[] = [];
  // Each thread's GEMM scratch is reserved once per heap and kept for later pools of the same heap.
  let scratches = scratchOf.get(h);
  if (!scratches) scratchOf.set(h, (scratches = []));
  for (let tid = 1; tid < n; tid++) {
    scratches[tid] ??= reservePermanent(h, h.fn.scratchBytes() / 4);
    const scratch = scratches[tid];
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module: h.module, memory: h.memory, control, tid, scratch, kernels: [...KERNELS], spinMs: SPIN_MS },
      stdout: false,
      stderr: false,
    });
    w.unref();
    workers.push(w);
  }
  for (let tid = 1; tid < n; tid++) {
    const deadline = Date.now() + 10_000;
    while (Atomics.load(ctl, READY + tid) !== 1) {
      if (Date.now() > deadline) {
        for (const w of workers) void w.terminate();
        throw new Error(`worker ${tid} did not start within 10 s`);
      }
      Atomics.wait(ctl, READY + tid, 0, 50);
    }
  }
  return { workers, ctl, args: new Float64Array(control, ARGS_BYTE, MAX_ARGS), seq: 0 };
}

/**
 * Whether the kernel threads are being slowed by other programs. When another process keeps a core busy,
 * a worker's share finishes late (its thread waits for a core) while the calling thread spins for it, so
 * two threads run slower than one (LeNet-5 training: 4.4-5.3k images/s on two threads, 8.4-8.6k on one,
 * with one core held busy). Over windows of at least windowMs of threaded calls, the calling thread
 * compares how long it waited for the workers with how long its own share took; when the wait is over
 * `ratio` times its own time (the workers took four times as long as it did) in two windows in a row,
 * calls run on the calling thread alone for soloMs, then the threads are tried again. (On a quiet
 * machine single windows reached 3.9 between the usual 0.01-0.3; with one core held busy most were 6-8.)
 * Results are the same either way (every kernel gives the same bits on any thread count).
 */
export class ContentionWatch {
  #own = 0;
  #wait = 0;
  #soloUntil = -Infinity;
  #late = 0;
  /** How many times calls went to the calling thread alone. */
  solos = 0;

  constructor(
    readonly windowMs = 25,
    readonly soloMs = 2000,
    readonly ratio = 3,
  ) {}

  /** Whether calls at time `now` (ms) run on the calling thread alone. */
  solo(now: number): boolean {
    return now < this.#soloUntil;
  }

  /** One threaded call: the calling thread's share took `own` ms, then it waited `wait` ms for the workers. */
  note(own: number, wait: number, now: number): void {
    this.#own += own;
    this.#wait += wait;
    if (this.#own + this.#wait < this.windowMs) return;
    this.#late = this.#wait > this.ratio * this.#own ? this.#late + 1 : 0;
    if (this.#late >= 2) {
      this.#soloUntil = now + this.soloMs;
      this.#late = 0;
      this.solos++;
    }
    this.#own = 0;
    this.#wait = 0;
  }
}

/** The process's watch (kernelContention for benchmarks and tests). */
const contention = new ContentionWatch();

/**
 * Whether the watch decides: only when the thread count is automatic. A count asked for (setKernelThreads,
 * LOCUS_THREADS) is kept, so tests of the threaded paths and benchmarks at a set count run as asked.
 */
let watching: boolean | null = null;

function watched(): boolean {
  if (watching === null) {
    const env = process.env.LOCUS_THREADS;
    watching = wanted === null && (env === undefined || env === '' || env === 'auto');
  }
  return watching;
}

/** The contention watch the threaded calls use (its `solos` count says how often they went solo). */
export function kernelContention(): ContentionWatch {
  return contention;
}

/**
 * Run kernel `name` with `args` on nt threads (nt from kernelThreads, or 1): the workers take tid 1..nt-1,
 * this thread tid 0; returns when all are done. Throws if a worker's share failed. While other programs
 * slow the workers down (ContentionWatch), the call runs on this thread alone: the same results.
 */
export function runThreaded(h: WasmHeap, nt: number, name: ThreadedKernel, args: number[]): void {
  const fn = h.fn[name] as unknown as (...a: number[]) => void;
  const p = nt > 1 ? pools.get(h) : undefined;
  const t0 = p ? performance.now() : 0; // (cheap next to a kernel worth splitting)
  if (!p || nt !== p.workers.length + 1 || (watched() && contention.solo(t0))) {
    fn(...args, 0, 1);
    return;
  }
  if (args.length > MAX_ARGS) throw new Error(`kernels: ${name} has ${args.length} arguments, over ${MAX_ARGS}`);
  const { ctl } = p;
  p.args.set(args);
  ctl[ARGC] = args.length;
  ctl[NT] = nt;
  Atomics.store(ctl, OP, KERNELS.indexOf(name));
  const seq = ++p.seq;
  Atomics.store(ctl, SEQ, seq);
  Atomics.notify(ctl, SEQ);
  let mine: unknown = null;
  try {
    fn(...args, 0, nt);
  } catch (e) {
    mine = e;
  }
  const t1 = performance.now();
  for (let tid = 1; tid < nt; tid++) waitFor(p, tid, seq, name);
  if (mine) throw mine;
  if (watched()) {
    const t2 = performance.now();
    contention.note(t1 - t0, t2 - t1, t2);
  }
  for (let tid = 1; tid < nt; tid++) {
    if (Atomics.load(ctl, FAILED + tid)) {
      // Outputs may be half written and some kernels update in place: the call cannot simply be run
      // again, so it fails with the reason, and later calls run on this thread alone.
      const codes = new Uint16Array(ctl.buffer, MSG_BYTE, MSG_CHARS);
      const end = codes.indexOf(0);
      const why = String.fromCharCode(...codes.subarray(0, end < 0 ? MSG_CHARS : end));
      disabledWhy = `worker thread ${tid} failed in ${name}: ${why}`;
      stopPools();
      throw new Error(`kernels: ${disabledWhy}; running on one thread from now on`);
    }
  }
}

function waitFor(p: Pool, tid: number, seq: number, name: string): void {
  const { ctl } = p;
  for (let i = 0; i < 1 << 16; i++) if (Atomics.load(ctl, DONE + tid) === seq) return;
  const deadline = Date.now() + STALL_MS;
  for (;;) {
    const v = Atomics.load(ctl, DONE + tid);
    if (v === seq) return;
    if (Date.now() > deadline) {
      disabledWhy = `worker thread ${tid} did not finish ${name} within ${STALL_MS / 1000} s`;
      stopPools();
      throw new Error(`kernels: ${disabledWhy}; running on one thread from now on`);
    }
    Atomics.wait(ctl, DONE + tid, v, 100);
  }
}
