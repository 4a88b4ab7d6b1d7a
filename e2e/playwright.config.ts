/**
 * End-to-end tests: the built browser host (dist/host/serve.js, started by global-setup.ts) driven in
 * Debian's Chromium. Playwright's own browser download is never used. Run: npm run build && npm run test:e2e
 */
import { defineConfig } from '@playwright/test';

export const CHROMIUM = process.env.LOCUS_CHROMIUM || '/usr/bin/chromium';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  outputDir: '../test-results',
  reporter: [['list']],
  globalSetup: './global-setup.ts',
  use: {
    browserName: 'chromium',
    viewport: { width: 1360, height: 860 },
    colorScheme: 'light',
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
