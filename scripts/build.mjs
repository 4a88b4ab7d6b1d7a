// Builds everything the app, the browser host and the CLI run: Node-side bundles with esbuild
// (dependencies stay external; sharp is native) and the renderer with Vite.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { build as viteBuild } from 'vite';

const node = [
  ['engine/cli/run.ts', 'dist/cli/locus.js'],
  ['engine/worker/entry.ts', 'dist/engine/worker.js'],
  ['electron/main.ts', 'dist/electron/main.js'],
  ['electron/host/serve.ts', 'dist/host/serve.js'],
];
const quiet = process.argv.includes('--quiet');
// The WebAssembly kernels first: the bundles embed engine/kernels/wasm/binary.ts.
execFileSync(process.execPath, ['scripts/build-wasm.mjs', ...(quiet ? ['--quiet'] : [])], { stdio: 'inherit' });
rmSync('dist', { recursive: true, force: true });
for (const [entry, outfile] of node) {
  if (!existsSync(entry)) continue;
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}
// A sandboxed preload cannot load other files: it is bundled into one CommonJS file.
if (existsSync('electron/preload.ts')) {
  await build({
    entryPoints: ['electron/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['electron'],
    logLevel: 'warning',
  });
}
if (existsSync('renderer/index.html')) {
  await viteBuild({ configFile: 'renderer/vite.config.ts', logLevel: quiet ? 'warn' : 'info' });
}
