/**
 * One bench workload from two checkouts of Locus, alternated in one process, so both see the same minute
 * of a shared machine: calls A B, B A, A B, ... after warm-up calls of each, then the median time of each
 * and the median of the per-pair ratios old / new (above 1: the second checkout is faster).
 *
 *   npx tsx scripts/bench-ab.ts OLD_DIR NEW_DIR WORKLOAD [--pairs 15] [--per 5] [--new-first]
 *
 * OLD_DIR and NEW_DIR are checkouts with their kernels built (git worktree add /tmp/old <commit>; the
 * committed engine/kernels/wasm/binary.ts is the build). WORKLOAD is a name `npm run bench` prints:
 * a network (lenet5-train, mlp-train, ...), dcgan-step, or a local model's (kmeans-lloyd, ...). --per
 * timed calls make one sample. Run it twice, once with --new-first (the new checkout's engine loaded
 * first): the one loaded second has run up to 5% faster on this kind of machine, whichever it was.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Run {
  run: () => void;
}

function usage(why: string): never {
  console.error(`bench-ab: ${why}\nusage: npx tsx scripts/bench-ab.ts OLD_DIR NEW_DIR WORKLOAD [--pairs N] [--per N] [--new-first]`);
  process.exit(2);
}

const args = process.argv.slice(2);
const positional: string[] = [];
const opts: Record<string, number> = { pairs: 15, per: 5 };
let newFirst = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--new-first') newFirst = true;
  else if (a.startsWith('--')) {
    const key = a.slice(2);
    const v = Number(args[++i]);
    if (!(key in opts) || !Number.isInteger(v) || v < 1) usage(`${a} takes a positive integer (--pairs, --per)`);
    opts[key] = v;
  } else positional.push(a);
}
if (positional.length !== 3) usage('two checkouts and a workload');
const [oldDir, newDir, name] = positional;

async function load(dir: string): Promise<Run> {
  const at = (p: string) => import(pathToFileURL(resolve(dir, p)).href);
  const backend = await at('engine/kernels/backend.ts');
  backend.setKernelBackend('auto');
  if (name === 'dcgan-step') return (await at('engine/bench/gan.ts')).dcganWorkload('dcgan-step', 64);
  const nets = (await at('engine/bench/workloads.ts')).NETWORK_WORKLOADS as { name: string; make: () => Run }[];
  const net = nets.find((w) => w.name === name);
  if (net) return net.make();
  const local = await at('engine/bench/local.ts');
  if ((local.LOCAL_NAMES as readonly string[]).includes(name)) {
    const { x, n, d } = await local.fashionVectors();
    return (local.localWorkloads(x, n, d) as (Run & { name: string })[]).find((w) => w.name === name)!;
  }
  return usage(`no workload ${name} in ${dir}`);
}

const [a, b] = newFirst ? await load(newDir).then(async (n) => [await load(oldDir), n]) : [await load(oldDir), await load(newDir)];
const per = opts.per;
function sample(w: Run, into: number[]): void {
  const t0 = performance.now();
  for (let i = 0; i < per; i++) w.run();
  into.push((performance.now() - t0) / per);
}
for (let i = 0; i < 3; i++) {
  sample(a, []);
  sample(b, []);
}
const ta: number[] = [];
const tb: number[] = [];
for (let r = 0; r < opts.pairs; r++) {
  if (r % 2) {
    sample(a, ta);
    sample(b, tb);
  } else {
    sample(b, tb);
    sample(a, ta);
  }
}
const median = (t: number[]) => [...t].sort((p, q) => p - q)[t.length >> 1];
const ratio = median(ta.map((v, i) => v / tb[i]));
console.log(`${name}: old ${median(ta).toFixed(2)} ms, new ${median(tb).toFixed(2)} ms a call, new over old ${ratio.toFixed(3)} (median of ${opts.pairs} pairs, ${newFirst ? 'new' : 'old'} loaded first)`);
process.exit(0);
