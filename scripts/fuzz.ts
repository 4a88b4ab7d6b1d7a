/**
 * `npm run fuzz [-- --seed N --trials N --kind NAME]`: seeded mutations of model files of every kind,
 * each through the engine's import and through `locus info` (in-process), with counts per outcome.
 * Exit code 1 when any trial ended in a fault (an internal error, a stack trace, NaN as a result, the
 * CLI accepting what the import refused), listed with how to replay it.
 */
import { parseArgs } from 'node:util';
import { locus } from '../engine/cli/testkit.js';
import { fuzz, summary } from './fuzz-kit.js';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, trials: { type: 'string', default: '100' }, kind: { type: 'string', multiple: true } } });
const seed = Number(values.seed);
const trials = Number(values.trials);
if (!Number.isInteger(seed) || !Number.isInteger(trials) || trials < 1) {
  console.error('usage: npm run fuzz -- [--seed N] [--trials N per kind] [--kind NAME ...]');
  process.exit(2);
}
const t0 = performance.now();
let done = 0;
const results = await fuzz({
  seed,
  trials,
  cli: (argv) => locus(...argv),
  ...(values.kind ? { kinds: values.kind } : {}),
  onTrial: () => {
    if (++done % 100 === 0) process.stderr.write(`${done} trials\n`);
  },
});
const faults = results.filter((t) => t.importOutcome === 'fault' || t.cliOutcome === 'fault');
console.log(`locus fuzz: seed ${seed}, ${trials} trials per kind, ${results.length} in all, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
for (const line of summary(results)) console.log(line);
const byMutation = new Map<string, number>();
for (const t of results) byMutation.set(`${t.mutation}/${t.importOutcome}`, (byMutation.get(`${t.mutation}/${t.importOutcome}`) ?? 0) + 1);
console.log(`by mutation (import outcome): ${[...byMutation].sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
for (const f of faults.slice(0, 20)) console.log(`FAULT ${f.kind} ${f.mutation}: ${f.detail}`);
process.exit(faults.length ? 1 : 0);
