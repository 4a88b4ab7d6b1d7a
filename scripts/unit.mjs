// Runs every *.test.ts under engine/, electron/ and renderer/ with Node's test runner (TypeScript via tsx).
// Extra arguments narrow the run to files whose path contains one of them: `npm run test:unit -- kmeans`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function find(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const filters = process.argv.slice(2);
const files = ['engine', 'electron', 'renderer']
  .flatMap((d) => find(d, []))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// Two test files run at once on two cores: one kernel thread each (LOCUS_THREADS=1) unless asked
// otherwise; engine/kernels/wasm/threads.test.ts sets its own thread counts.
// Runs saved by the code under test go to a folder of their own, never to the user's workspace.
const workspace = mkdtempSync(join(tmpdir(), 'locus-unit-runs-'));
// Renderer stores written with Svelte 5 runes (*.svelte.ts) are compiled for their tests (scripts/svelte-runes.mjs).
const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', './scripts/svelte-runes.mjs', '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...process.env, LOCUS_THREADS: process.env.LOCUS_THREADS ?? '1', LOCUS_WORKSPACE_DIR: process.env.LOCUS_WORKSPACE_DIR ?? workspace },
});
rmSync(workspace, { recursive: true, force: true });
process.exit(r.status ?? 1);
