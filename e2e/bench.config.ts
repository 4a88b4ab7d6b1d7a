/**
 * `npm run bench:ui`: measurements in the browser host that are not tests (frame times while training),
 * with the end-to-end tests' Chromium, host and settings. They print figures and assert nothing timed.
 */
import { defineConfig } from '@playwright/test';
import base from './playwright.config.js';

export default defineConfig({ ...base, testDir: './bench', testMatch: '*.bench.ts', timeout: 180_000 });
