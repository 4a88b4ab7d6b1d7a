// Typecheck every part of the tree with its own boundary: engine/ and electron/ see Node's types and
// no DOM; renderer/ sees the DOM and no Node; e2e/ sees both.
import { spawnSync } from 'node:child_process';

const runs = [
  ['tsc', ['-p', 'engine/tsconfig.json']],
  ['tsc', ['-p', 'electron/tsconfig.json']],
  ['tsc', ['-p', 'e2e/tsconfig.json']],
  ['svelte-check', ['--tsconfig', 'renderer/tsconfig.json', '--fail-on-warnings', '--output', 'human']],
];
let failed = false;
for (const [cmd, args] of runs) {
  const r = spawnSync('npx', ['--no-install', cmd, ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`typecheck failed: ${cmd} ${args.join(' ')}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
