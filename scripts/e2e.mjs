// Runs the end-to-end tests (Playwright driving Debian's Chromium against the built browser host).
// The app must be built first (`npm run build`); the exit code of Playwright is passed through.
import { spawnSync } from 'node:child_process';

// `--config FILE` replaces the tests' configuration (npm run bench:ui passes e2e/bench.config.ts).
const args = process.argv.slice(2);
const at = args.indexOf('--config');
const config = at >= 0 ? args.splice(at, 2)[1] : 'e2e/playwright.config.ts';
const r = spawnSync('npx', ['--no-install', 'playwright', 'test', '-c', config, ...args], {
  stdio: 'inherit',
  env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
});
if (r.error) console.error(`e2e: could not run Playwright: ${r.error.message}`);
process.exit(r.status ?? 1);
