// Node module hooks for the unit tests: a renderer store written with Svelte 5 runes (*.svelte.ts) is
// compiled the way Vite compiles it for the app (TypeScript stripped by esbuild, then Svelte's
// compileModule for the browser), so its logic runs under node --test with a stand-in LabApi.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { compileModule } from 'svelte/compiler';

export async function load(url, context, next) {
  if (!/\.svelte\.ts$/.test(new URL(url).pathname)) return next(url, context);
  const file = fileURLToPath(url);
  const ts = await readFile(file, 'utf8');
  const js = await transform(ts, { loader: 'ts', format: 'esm', target: 'es2022', sourcefile: file });
  const out = compileModule(js.code, { filename: file, generate: 'client', dev: false });
  return { format: 'module', source: out.js.code, shortCircuit: true };
}
