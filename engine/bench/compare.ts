/**
 * `npm run bench -- --compare`: the same workloads on TensorFlow.js (cpu and wasm backends, one thread)
 * and, when Debian's python3 can import torch, on PyTorch (scripts/bench_torch.py) with the thread count
 * Locus uses and, when that is more than one, with one thread too (PyTorch's fastest setting for these
 * small shapes on a 2-core machine). Prints one line per framework and workload, the ratios, then a
 * markdown table with the date, the machine and its load average (the machine may be shared: medians
 * come from one run).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { wasmHeap } from '../kernels/wasm/runtime.js';
import { TFJS_JOBS, type TfjsResult } from './tfjs.js';
import type { Rates } from './timing.js';

export interface Row {
  name: string;
  locus: Rates;
  /** What the rates count when not images ('samples': k-means and SOM). */
  unit?: string;
}

interface Other {
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

function torchResults(only: string | undefined, runs: number, threads: number, extra: string[]): Other[] | string {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return `PyTorch skipped: ${PYTHON} -c "import torch" failed (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;
  const script = fileURLToPath(new URL('../../scripts/bench_torch.py', import.meta.url));
  const args = [script, '--threads', String(threads), '--runs', String(runs), ...(only ? ['--only', only] : []), ...extra];
  // torch.set_num_threads alone leaves OpenMP's other threads spinning (twice the CPU time, and slower):
  // the environment pins the thread pools too.
  const t = String(threads);
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t, ...TWIN_MALLOC } });
  if (r.status !== 0) return `PyTorch failed: ${r.stderr.trim().split('\n').pop()}`;
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      const j = JSON.parse(l) as { name: string; lib?: string; img_per_s?: number; cpu_img_per_s?: number; fails?: string };
      const who = `${j.lib ?? 'torch'}-${threads}t`;
      if (j.fails) return { name: j.name, who, fails: j.fails };
      return { name: j.name, who, rates: { wall: j.img_per_s ?? 0, cpu: j.cpu_img_per_s ?? 0 } };
    });
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
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');

export async function printComparison(
  rows: Row[], o: { only?: string; runs: number; kernels: string; threads: number; extra?: string[]; tfjs?: boolean },
): Promise<void> {
  const loadBefore = load();
  const others: Other[] = [];
  for (const threads of o.threads > 1 ? [o.threads, 1] : [1]) {
    const torch = torchResults(o.only, o.runs, threads, o.extra ?? []);
    if (typeof torch === 'string') {
      console.log(torch);
      break;
    }
    others.push(...torch);
  }
  if (o.tfjs !== false) others.push(...tfjsResults(o.only, o.runs));
  for (const x of others) {
    if (x.fails) console.log(`${x.name} ${x.who} fails: ${x.fails}`);
    else if (x.rates) console.log(`${x.name} ${x.who} img_per_s=${x.rates.wall.toFixed(1)} cpu_img_per_s=${x.rates.cpu.toFixed(1)}`);
  }
  const whos = [...new Set(others.map((x) => x.who))];
  for (const row of rows) {
    for (const who of whos) {
      const x = others.find((y) => y.name === row.name && y.who === who);
      if (x?.rates) {
        console.log(`${row.name} locus/${who} ratio=${(row.locus.wall / x.rates.wall).toFixed(2)} cpu_ratio=${(row.locus.cpu / x.rates.cpu).toFixed(2)}`);
      }
    }
  }
  const h = wasmHeap();
  console.log('');
  console.log(`${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} logical cores), Node ${process.versions.node}, ` +
    `Locus kernels ${o.kernels}${o.kernels === 'wasm' && h ? ` (${h.build})` : ''} on ${o.threads === 1 ? 'one thread' : `${o.threads} threads`}, ` +
    `PyTorch as named (torch-Nt: N threads), TensorFlow.js on one thread, load average ${loadBefore} before the comparison, ${load()} after.`);
  console.log('Images (k-means, SOM: samples) per second, wall clock (CPU time) medians; ratios Locus / other, wall clock (CPU time). ' +
    'torch-Nt, sklearn-Nt, numpy-Nt: scripts/bench_torch.py with N threads; the folder twin is torchvision with N DataLoader workers (none on 1).');
  console.log('');
  // One column per thread setting of the twin (torch, scikit-learn or numpy: the row's own library), the
  // ratio against the faster of them, then TF.js where it ran.
  const twinThreads = [...new Set(others.filter((x) => !x.who.startsWith('tfjs')).map((x) => x.who.replace(/^.*-/, '')))];
  const tfjs = whos.filter((w) => w.startsWith('tfjs'));
  const cell = (x: Other | undefined) => (!x ? '-' : !x.rates ? 'fails' : `${fmt(x.rates.wall)} (${fmt(x.rates.cpu)})`);
  const tail = (cells: string[]) => cells.map((c) => ` ${c} |`).join('');
  console.log(`| workload | Locus | twin | ${twinThreads.map((t) => `twin ${t}`).join(' | ')} | Locus / best twin |${tail(tfjs)}`);
  console.log(`|${'---|'.repeat(4 + twinThreads.length + tfjs.length)}`);
  for (const row of rows) {
    const mine = others.filter((x) => x.name === row.name && !x.who.startsWith('tfjs'));
    const lib = mine[0]?.who.replace(/-[^-]*$/, '') ?? '-';
    const best = mine.filter((x) => x.rates).sort((p, q) => (q.rates?.wall ?? 0) - (p.rates?.wall ?? 0))[0];
    const ratio = best?.rates ? `${(row.locus.wall / best.rates.wall).toFixed(2)} (${(row.locus.cpu / best.rates.cpu).toFixed(2)})` : '-';
    const twins = twinThreads.map((t) => cell(mine.find((x) => x.who.endsWith(`-${t}`))));
    const tf = tfjs.map((w) => cell(others.find((x) => x.name === row.name && x.who === w)));
    console.log(`| ${row.name} | ${fmt(row.locus.wall)} (${fmt(row.locus.cpu)}) | ${lib} | ${twins.join(' | ')} | ${ratio} |${tail(tf)}`);
  }
  for (const x of others) if (x.fails) console.log(`\n${x.who} ${x.name} fails: ${x.fails}`);
}
