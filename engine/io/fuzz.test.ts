/**
 * A fixed-seed slice of `npm run fuzz` (scripts/fuzz-kit.ts): mutated model files of every kind through
 * the import and `locus info` / `locus predict`, none ending in a fault; and the fuzzer's own judgement
 * checked on planted faults, so a fault cannot go unseen.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fuzz, MUTATIONS, seedFiles, summary, trial } from '../../scripts/fuzz-kit.js';
import { locus } from '../cli/testkit.js';
import { Rng } from '../core/rng.js';

test('fixed seed: 4 mutations of each kind, no fault through the import or the CLI', async () => {
  const results = await fuzz({ seed: 20261204, trials: 4, cli: (argv) => locus(...argv) });
  assert.equal(results.length, 4 * Object.keys(seedFiles()).length);
  const faults = results.filter((t) => t.importOutcome === 'fault' || t.cliOutcome === 'fault');
  assert.deepEqual(faults, [], summary(results).join('\n'));
  assert.ok(results.some((t) => t.importOutcome === 'refused'));
});

test('the fuzzer calls a fault a fault: internal errors, NaN results, stack traces, disagreement', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'locus-fuzz-judge-'));
  try {
    const seed = JSON.stringify(seedFiles().kmeans);
    const r = () => new Rng(1);
    const cli = (code: number, stdout: string, stderr: string) => async () => ({ code, stdout, stderr });
    const accepted = await trial('kmeans', seed, 'value', r(), dir, cli(0, 'kmeans model\n', ''));
    assert.ok(['accepted', 'refused'].includes(accepted.importOutcome));
    for (const [stdout, stderr, code] of [
      ['', 'locus info: Cannot read properties of undefined (reading "shape")\n', 1],
      ['', 'locus info: boom\n    at parse (engine/io/parse.ts:1:1)\n', 1],
      ['accuracy NaN%\n', '', 0],
      ['', '', 134],
    ] as const) {
      const t = await trial('kmeans', seed, 'byte', r(), dir, cli(code, stdout, stderr));
      assert.equal(t.cliOutcome, 'fault', `${stdout}${stderr}`);
    }
    // The import refused but the CLI said fine: a fault too.
    const t = await trial('kmeans', '{"format": "locus-model"}', 'truncate', new Rng(2), dir, cli(0, 'fine\n', ''));
    assert.equal(t.importOutcome, 'refused');
    assert.equal(t.cliOutcome, 'fault');
    assert.ok(MUTATIONS.length >= 10);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
