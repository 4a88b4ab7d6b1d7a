/** The packaged app's Electron fuses (package.json "build".electronFuses), checked against electron-builder's schema. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const require = createRequire(import.meta.url);
const build = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).build as Record<string, unknown>;

test('fuses: no running as Node, no NODE_OPTIONS or inspector flags, cookies encrypted, the app only from its checked asar', () => {
  assert.deepEqual(build.electronFuses, {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableCookieEncryption: true,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  });
});

test('the build configuration is valid for electron-builder (and the check refuses a wrong fuse name)', async () => {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration: (c: unknown, l: unknown) => Promise<void> };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  await validateConfiguration(structuredClone(build), new DebugLogger(false));
  const wrong = structuredClone(build) as { electronFuses: Record<string, boolean> };
  wrong.electronFuses.runAsNodee = false;
  await assert.rejects(validateConfiguration(wrong, new DebugLogger(false)), /electronFuses/);
});
