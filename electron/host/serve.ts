/**
 * `npm run serve` / `node dist/host/serve.js [--port N] [--open PATH] [--user-data DIR]`: the browser host.
 * Prints `Locus is at http://127.0.0.1:PORT/?token=...` (tests read that line) and runs until stopped.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultUserDataDir } from '../core/settings.js';
import { forkEngine } from './fork.js';
import { startHost } from './server.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/host
const distDir = resolve(here, '..');

function fail(message: string): never {
  console.error(`locus serve: ${message}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      open: { type: 'string' },
      'user-data': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (e) {
  fail((e as Error).message);
}
if (args.help) {
  console.log('usage: node dist/host/serve.js [--port N] [--open FOLDER] [--user-data DIR]');
  process.exit(0);
}
const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got ${args.port}`);

const userData = resolve(args['user-data'] ?? defaultUserDataDir());
const version = (JSON.parse(readFileSync(join(distDir, '..', 'package.json'), 'utf8')) as { version: string }).version;
const workerPath = join(distDir, 'engine', 'worker.js');
const env = {
  ...process.env,
  LOCUS_CACHE_DIR: process.env.LOCUS_CACHE_DIR || join(userData, 'cache'),
  // Saved runs (engine/session/runs.ts), shared with the desktop app and `locus runs`.
  LOCUS_WORKSPACE_DIR: process.env.LOCUS_WORKSPACE_DIR || join(userData, 'runs'),
};

const host = await startHost({
  port,
  rendererDir: join(distDir, 'renderer'),
  settingsFile: join(userData, 'settings.json'),
  spawn: () => forkEngine(workerPath, { env }),
  version,
}).catch((e: Error) => fail(e.message));

console.log(`Locus is at ${host.url}`);

if (args.open) {
  const path = resolve(args.open);
  host.engine
    .request('data.open', { path })
    .then((s) => host.settings.addRecent(s.root).then(() => console.log(`opened ${s.root}: ${s.n} images`)))
    .catch((e: Error) => console.error(`locus serve: could not open ${path}: ${e.message}`));
}

const stop = (): void => {
  void host.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
