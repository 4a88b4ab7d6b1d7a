/**
 * `npm run bench -- --compare`: the same workloads on PyTorch (scripts/bench_torch.py; scikit-learn and
 * numpy for k-means and the SOM, torchvision for folders) with the thread count Locus uses and, when that is
 * more than one, with one thread too (PyTorch's fastest setting for these small shapes on a 2-core
 * machine), and on TensorFlow.js (cpu and wasm backends, one thread). Each workload alternates: Locus, then
 * each PyTorch setting, for several rounds (ours, theirs, ours, ...), so both sides meet the same minutes of
 * a shared machine; the ratio is the median of the rounds' ratios, each against that round's faster twin.
 * Prints a line per round, then a markdown table with the date, the machine and its load average.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { wasmHeap } from '../kernels/wasm/runtime.js';
import { TFJS_JOBS, type TfjsResult } from './tfjs.js';
import { median, type Rates } from './timing.js';

/** One round of a workload: Locus's rates and each twin setting's, measured one after another (alternate). */
export interface Round {
  locus: Rates;
  twins: Other[];
}

export interface Row {
  name: string;
  /** The medians over the rounds. */
  locus: Rates;
  /** What the rates count when not images ('samples': k-means and SOM). */
  unit?: string;
  rounds?: Round[];
}

export interface Other {
  name: string;
  who: string;
  rates?: Rates;
  fails?: string;
}

const PYTHON = '/usr/bin/python3';
/**
 * glibc's malloc returns a freed block of 128 KB or more to the system (and trims the heap's top), so a
 * framework that allocates each layer's output afresh pays the page faults of every activation again at
 * every step: PyTorch's VGG-style inference ran 235-270 images/s that way against 976-1,076 with these
 * two tunables, its training 200-220 against 453-473 (docs/performance.md, "The PyTorch twin's
 * allocator"). PyTorch's CPU tuning guide recommends a caching allocator (jemalloc, tcmalloc) for the
 * same reason; these settings need no package. The twins run with them: their best setting.
 */
const TWIN_MALLOC = { MALLOC_MMAP_THRESHOLD_: '2000000000', MALLOC_TRIM_THRESHOLD_: '4000000000' };
/** TF.js's cpu backend takes minutes a DCGAN step on a loaded machine: each job gets this long. */
const TFJS_LIMIT_S = 240;
/**
 * The longest a twin may take to answer one request before it is stopped (its workloads then fail with
 * that reason): the slowest, three cold runs of torchvision over the bench's 2,000 large JPEGs on one
 * thread, take minutes, so a hung process is told from a slow one only after this long.
 */
const TWIN_ANSWER_S = 1800;

/**
 * One PyTorch process (bench_torch.py --serve) with `threads` threads, measuring a workload when asked:
 * kept between requests, so a model is built once and each round costs only its timed runs.
 */
export class Twin {
  readonly threads: number;
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #waiting: ((line: string | null) => void)[] = [];
  readonly #exited: Promise<void>;
  #ended = false;
  #stderr = '';
  readonly #answerS: number;
  /** Set when the process was stopped for taking longer than #answerS to answer. */
  #silent = false;

  /**
   * extra: more arguments for the script (the tests' `--seconds 0.05`); opts.script another script in its
   * place and opts.answerS another limit on each answer (the tests' stand-in that never answers).
   */
  constructor(threads: number, extra: string[] = [], opts: { script?: string; answerS?: number } = {}) {
    this.threads = threads;
    this.#answerS = opts.answerS ?? TWIN_ANSWER_S;
    const script = opts.script ?? fileURLToPath(new URL('../../scripts/bench_torch.py', import.meta.url));
    // torch.set_num_threads alone leaves OpenMP's other threads spinning (twice the CPU time, and slower):
    // the environment pins the thread pools too.
    const t = String(threads);
    this.#proc = spawn(PYTHON, [script, '--serve', '--threads', t, ...extra], { env: { ...process.env, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t, ...TWIN_MALLOC } });
    // A write after the process has gone fails on the pipe; its exit answers the waiting requests.
    this.#proc.stdin.on('error', () => {});
    this.#proc.stderr.on('data', (b: Buffer) => {
      this.#stderr = (this.#stderr + b.toString()).slice(-4000);
    });
    createInterface({ input: this.#proc.stdout }).on('line', (l) => {
      if (l.startsWith('{')) this.#waiting.shift()?.(l);
    });
    this.#exited = new Promise((resolve) => {
      const end = () => {
        this.#ended = true;
        for (const w of this.#waiting.splice(0)) w(null);
        resolve();
      };
      this.#proc.on('exit', end);
      this.#proc.on('error', end);
    });
  }

  /** The last line the process wrote to stderr (where Python prints why it stopped). */
  get #lastError(): string {
    if (this.#silent) return `no answer in ${this.#answerS} s, so it was stopped`;
    return this.#stderr.trim().split('\n').pop() || 'no output';
  }

  /**
   * The answer line, or null once the process has ended: by itself, or stopped here when an answer takes
   * longer than the limit (a hung twin must not hang the comparison; later requests then fail at once).
   */
  #ask(req: object): Promise<string | null> {
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      const limit = setTimeout(() => {
        this.#silent = true;
        this.#proc.kill('SIGKILL');
      }, this.#answerS * 1000);
      this.#waiting.push((line) => {
        clearTimeout(limit);
        resolve(line);
      });
      this.#proc.stdin.write(`${JSON.stringify(req)}\n`);
    });
  }

  /** Resolves once the process has imported its libraries (so that it does not load them during a run of Locus's). */
  async ready(): Promise<string | null> {
    const l = await this.#ask({ name: 'ready' });
    return l ? null : `PyTorch failed: ${this.#lastError}`;
  }

  /** The workload's rates (or why it failed), or null when it has no twin. */
  async measure(name: string, runs: number, folder?: string): Promise<Other | null> {
    const who = `torch-${this.threads}t`;
    const l = await this.#ask({ name, runs, ...(folder ? { folder } : {}) });
    if (!l) return { name, who, fails: `PyTorch ended: ${this.#lastError}` };
    let j: { name: string; lib?: string; img_per_s?: number; cpu_img_per_s?: number; fails?: string; none?: boolean };
    try {
      j = JSON.parse(l) as typeof j;
    } catch {
      return { name, who, fails: `PyTorch answered with something other than JSON: ${l.slice(0, 200)}` };
    }
    if (j.none) return null;
    const lib = `${j.lib ?? 'torch'}-${this.threads}t`;
    if (j.fails) return { name, who: lib, fails: j.fails };
    return { name, who: lib, rates: { wall: j.img_per_s ?? 0, cpu: j.cpu_img_per_s ?? 0 } };
  }

  /** Ends the process (it exits when its stdin closes); resolves when it has. */
  close(): Promise<void> {
    this.#proc.stdin.end();
    return this.#exited;
  }
}

/**
 * The twins for a comparison at Locus's thread count (and one thread when that is more), ready to measure;
 * or why there are none (no torch under /usr/bin/python3).
 */
export async function startTwins(threads: number): Promise<Twin[] | string> {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return `PyTorch skipped: ${PYTHON} -c "import torch" failed (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;
  const twins = (threads > 1 ? [threads, 1] : [1]).map((t) => new Twin(t));
  for (const t of twins) {
    const why = await t.ready();
    if (why) {
      await Promise.all(twins.map((q) => q.close()));
      return why;
    }
  }
  return twins;
}

/** Each TF.js job in its own process (tfjs.ts as a script), stopped after TFJS_LIMIT_S seconds. */
function tfjsResults(only: string | undefined, runs: number): Other[] {
  const script = fileURLToPath(new URL('./tfjs.ts', import.meta.url));
  const out: Other[] = [];
  for (const backend of ['cpu', 'wasm']) {
    for (const name of TFJS_JOBS) {
      if (only && !name.includes(only)) continue;
      const who = `tfjs-${backend}`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--backend', backend, '--job', name, '--runs', String(runs)], {
        encoding: 'utf8',
        timeout: TFJS_LIMIT_S * 1000,
      });
      const line = r.stdout?.split('\n').find((l) => l.startsWith('TFJS '));
      if (line) {
        const t = JSON.parse(line.slice(5)) as TfjsResult;
        out.push({ name, who, fails: t.fails, rates: t.fails ? undefined : { wall: t.img_per_s ?? 0, cpu: t.cpu_img_per_s ?? 0 } });
      } else if (r.signal || r.error) {
        out.push({ name, who, fails: `no result within ${TFJS_LIMIT_S} s (a warm-up step and one timed step)` });
      } else {
        out.push({ name, who, fails: `exited with ${r.status}: ${(r.stderr ?? '').trim().split('\n').pop()}` });
      }
    }
  }
  return out;
}

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toPrecision(3));
export const loadAverage = () => loadavg().map((v) => v.toFixed(2)).join(' ');

/** What alternate needs of a twin (Twin, or a test's stand-in). */
export interface TwinLike {
  measure(name: string, runs: number, folder?: string): Promise<Other | null>;
}

/**
 * The pause before each measurement of a comparison: after its last parallel region PyTorch's OpenMP
 * pool keeps spinning on the other core for about 0.1 s (measured: one core's worth of CPU in the 100 ms
 * after a two-thread twin answers, none from 200 ms on), which Locus's kernel threads starting at once
 * would share (and its contention fallback would then run them on one thread for 2 s). Locus's own
 * workers sleep 1 ms after their last job.
 */
const SETTLE_MS = 300;

/**
 * A workload measured `rounds` times on Locus and on each twin, Locus first in odd rounds and last in even
 * ones (ours, theirs, theirs, ours, ours, ...: neither side always follows the other), so that both meet
 * the same minutes of the machine, with a pause of settleMs (default SETTLE_MS) before each measurement.
 * Each round's twins are listed in the twins' order. A workload no twin has (every measure null) is
 * measured once. onRound sees each round with a twin as it ends.
 */
export async function alternate(
  name: string, locus: () => Rates | Promise<Rates>, twins: readonly TwinLike[], o: { rounds: number; runs: number; folder?: string; settleMs?: number },
  onRound?: (r: Round, index: number) => void,
): Promise<Round[]> {
  const done: Round[] = [];
  const settle = o.settleMs ?? SETTLE_MS;
  const pause = () => (settle > 0 ? new Promise<void>((resolve) => setTimeout(resolve, settle)) : Promise.resolve());
  let hasTwin = twins.length > 0;
  for (let r = 0; r < (hasTwin ? o.rounds : 1); r++) {
    let mine: Rates = { wall: 0, cpu: 0 };
    const theirs: (Other | null)[] = twins.map(() => null);
    const order = r % 2 === 0 ? [-1, ...twins.keys()] : [...twins.keys()].reverse().concat([-1]);
    for (const i of order) {
      if (i >= 0 && !hasTwin) continue;
      await pause();
      if (i < 0) mine = await locus();
      else theirs[i] = await twins[i].measure(name, o.runs, o.folder);
    }
    const round: Round = { locus: mine, twins: theirs.filter((x) => x !== null) };
    hasTwin = round.twins.length > 0;
    done.push(round);
    if (hasTwin) onRound?.(round, r);
  }
  return done;
}

/**
 * A workload's ratios Locus / twin, one per round with a twin that ran: against that round's faster twin
 * setting (by wall clock), wall clock and CPU time.
 */
export function roundRatios(rounds: Round[]): { wall: number[]; cpu: number[] } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (const r of rounds) {
    const best = r.twins.filter((x) => x.rates && x.rates.wall > 0).sort((p, q) => (q.rates?.wall ?? 0) - (p.rates?.wall ?? 0))[0];
    if (!best?.rates) continue;
    wall.push(r.locus.wall / best.rates.wall);
    cpu.push(r.locus.cpu / best.rates.cpu);
  }
  return { wall, cpu };
}

/** Each twin setting's medians over the rounds it ran in (or its failure when it never ran). */
export function twinMedians(row: Row): Other[] {
  const out: Other[] = [];
  const rounds = row.rounds ?? [];
  const whos = [...new Set(rounds.flatMap((r) => r.twins.map((x) => x.who)))];
  for (const who of whos) {
    const all = rounds.flatMap((r) => r.twins.filter((x) => x.who === who));
    const ran = all.filter((x) => x.rates);
    if (ran.length === 0) out.push({ name: row.name, who, fails: all[0]?.fails ?? 'did not run' });
    else out.push({ name: row.name, who, rates: { wall: median(ran.map((x) => x.rates!.wall)), cpu: median(ran.map((x) => x.rates!.cpu)) } });
  }
  return out;
}

/** One line per round as it is measured: Locus's rate, each twin's, and the round's ratio. */
export function roundLine(name: string, index: number, r: Round): string {
  const twins = r.twins.map((x) => (x.rates ? `${x.who}=${x.rates.wall.toFixed(1)}` : `${x.who} fails: ${x.fails}`));
  const ratio = roundRatios([r]).wall[0];
  return `${name} round ${index + 1} locus=${r.locus.wall.toFixed(1)} ${twins.join(' ')}${ratio === undefined ? '' : ` ratio=${ratio.toFixed(2)}`}`;
}

export async function printComparison(
  rows: Row[], o: { only?: string; runs: number; rounds: number; kernels: string; threads: number; loadBefore: string; tfjs?: boolean },
): Promise<void> {
  const tf = o.tfjs !== false ? tfjsResults(o.only, o.runs) : [];
  const twins = new Map(rows.map((row) => [row.name, twinMedians(row)]));
  for (const x of [...[...twins.values()].flat(), ...tf]) {
    if (x.fails) console.log(`${x.name} ${x.who} fails: ${x.fails}`);
    else if (x.rates) console.log(`${x.name} ${x.who} img_per_s=${x.rates.wall.toFixed(1)} cpu_img_per_s=${x.rates.cpu.toFixed(1)}`);
  }
  for (const row of rows) {
    const rr = roundRatios(row.rounds ?? []);
    if (rr.wall.length) console.log(`${row.name} locus/best twin ratio=${median(rr.wall).toFixed(2)} cpu_ratio=${median(rr.cpu).toFixed(2)} (rounds: ${rr.wall.map((v) => v.toFixed(2)).join(', ')})`);
    for (const x of tf.filter((y) => y.name === row.name && y.rates)) {
      console.log(`${row.name} locus/${x.who} ratio=${(row.locus.wall / x.rates!.wall).toFixed(2)} cpu_ratio=${(row.locus.cpu / x.rates!.cpu).toFixed(2)}`);
    }
  }
  const h = wasmHeap();
  console.log('');
  console.log(`${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} logical cores), Node ${process.versions.node}, ` +
    `Locus kernels ${o.kernels}${o.kernels === 'wasm' && h ? ` (${h.build})` : ''} on ${o.threads === 1 ? 'one thread' : `${o.threads} threads`}, ` +
    `PyTorch as named (torch-Nt: N threads), TensorFlow.js on one thread, load average ${o.loadBefore} before the comparison, ${loadAverage()} after.`);
  console.log(`Images (k-means, SOM: samples) per second, wall clock (CPU time): medians of ${o.rounds} round${o.rounds === 1 ? '' : 's'}, each the median of ${o.runs} timed run${o.runs === 1 ? '' : 's'}, ` +
    'Locus and its twins alternating in every round; Locus / best twin: the median of the rounds\' ratios, each against that round\'s faster twin setting. ' +
    'torch-Nt, sklearn-Nt, numpy-Nt: scripts/bench_torch.py with N threads; the folder twin is torchvision with N DataLoader workers (none on 1).' +
    (o.tfjs !== false ? ' TensorFlow.js ran once, after every workload\'s rounds.' : ''));
  console.log('');
  // One column per thread setting of the twin (torch, scikit-learn or numpy: the row's own library), the
  // ratio against the faster of them, each round's, then TF.js where it ran.
  const all = [...twins.values()].flat();
  const twinThreads = [...new Set(all.map((x) => x.who.replace(/^.*-/, '')))];
  const tfWhos = [...new Set(tf.map((x) => x.who))];
  const cell = (x: Other | undefined) => (!x ? '-' : !x.rates ? 'fails' : `${fmt(x.rates.wall)} (${fmt(x.rates.cpu)})`);
  const tail = (cells: string[]) => cells.map((c) => ` ${c} |`).join('');
  console.log(`| workload | Locus | twin | ${twinThreads.map((t) => `twin ${t}`).join(' | ')} | Locus / best twin | rounds |${tail(tfWhos)}`);
  console.log(`|${'---|'.repeat(5 + twinThreads.length + tfWhos.length)}`);
  for (const row of rows) {
    const mine = twins.get(row.name) ?? [];
    const lib = mine[0]?.who.replace(/-[^-]*$/, '') ?? '-';
    const rr = roundRatios(row.rounds ?? []);
    const ratio = rr.wall.length ? `${median(rr.wall).toFixed(2)} (${median(rr.cpu).toFixed(2)})` : '-';
    const each = rr.wall.length ? rr.wall.map((v) => v.toFixed(2)).join(', ') : '-';
    const cells = twinThreads.map((t) => cell(mine.find((x) => x.who.endsWith(`-${t}`))));
    const tfc = tfWhos.map((w) => cell(tf.find((x) => x.name === row.name && x.who === w)));
    console.log(`| ${row.name} | ${fmt(row.locus.wall)} (${fmt(row.locus.cpu)}) | ${lib} | ${cells.join(' | ')} | ${ratio} | ${each} |${tail(tfc)}`);
  }
  for (const x of [...all, ...tf]) if (x.fails) console.log(`\n${x.who} ${x.name} fails: ${x.fails}`);
}
