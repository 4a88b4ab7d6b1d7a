#!/usr/bin/env node
// The `locus` command: runs the built CLI (npm install builds it; or run `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/locus.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('locus: the CLI is not built yet; run `npm run build` in the Locus folder');
  process.exit(1);
}
await import(pathToFileURL(cli).href);
