/**
 * Starts the built browser host once for all specs, with test hooks on (LOCUS_TEST=1), its own
 * settings folder and cache, and reads the URL it prints. If the bundled sample is not in assets/ yet,
 * a small generated stand-in is used so the specs still run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, writeShape } from './host.js';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const serve = join(ROOT, 'dist', 'host', 'serve.js');
  if (!existsSync(serve) || !existsSync(join(ROOT, 'dist', 'renderer', 'index.html'))) {
    throw new Error('the app is not built: run `npm run build` before `npm run test:e2e`');
  }
  const tmp = await mkdtemp(join(tmpdir(), 'locus-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env, LOCUS_TEST: '1', LOCUS_CACHE_DIR: join(tmp, 'cache') };
  if (!existsSync(join(ROOT, 'assets', 'sample', 'fashion-mnist'))) {
    const sample = join(tmp, 'sample', 'fashion-mnist');
    const kinds = ['disc', 'square', 'bar'] as const;
    for (let k = 0; k < 3; k++) for (let i = 0; i < 20; i++) await writeShape(join(sample, `${kinds[k]}`, `${i}.png`), kinds[k], i, 28);
    env.LOCUS_SAMPLE_DIR = sample;
    console.log(`e2e: assets/sample/fashion-mnist is missing; using a generated stand-in at ${sample}`);
  }
  const host = spawn(process.execPath, [serve, '--port', '0', '--user-data', join(tmp, 'user-data')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the host printed no URL in 20 s:\n${out}`)), 20_000);
    host.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /Locus is at (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    host.once('exit', (code) => reject(new Error(`the host exited (${code}) before printing its URL:\n${out}`)));
  });
  host.stdout.on('data', (b: Buffer) => process.stdout.write(`host: ${b.toString()}`));
  process.env.LOCUS_E2E_URL = url;
  process.env.LOCUS_E2E_TMP = tmp;
  return async () => {
    host.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    await rm(tmp, { recursive: true, force: true });
  };
}
