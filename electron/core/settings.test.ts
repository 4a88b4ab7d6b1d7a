import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultUserDataDir, MAX_RECENT, SettingsStore } from './settings.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'locus-settings-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('settings persist, recent folders are most-recent-first, unique and bounded', () =>
  withDir(async (dir) => {
    const file = join(dir, 'sub', 'settings.json');
    const s = await SettingsStore.open(file);
    assert.deepEqual(s.get(), { theme: 'system', recentFolders: [] });
    await s.update({ theme: 'dark' });
    for (let i = 0; i < MAX_RECENT + 3; i++) await s.addRecent(`/f${i}`);
    await s.addRecent('/f5');
    const got = s.get().recentFolders;
    assert.equal(got.length, MAX_RECENT);
    assert.equal(got[0], '/f5');
    assert.equal(got.filter((p) => p === '/f5').length, 1);
    await s.forgetRecent('/f12');
    const again = await SettingsStore.open(file);
    assert.deepEqual(again.get(), s.get());
    assert.equal(again.get().theme, 'dark');
    assert.ok(!again.get().recentFolders.includes('/f12'));
    // Atomic writes leave no temporary files behind.
    assert.deepEqual(await readdir(join(dir, 'sub')), ['settings.json']);
  }));

test('concurrent updates are serialized: the file holds the last state', () =>
  withDir(async (dir) => {
    const file = join(dir, 'settings.json');
    const s = await SettingsStore.open(file);
    await Promise.all([s.addRecent('/a'), s.addRecent('/b'), s.update({ theme: 'light' }), s.addRecent('/c')]);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { theme: 'light', recentFolders: ['/c', '/b', '/a'] });
  }));

test('an invalid file gives defaults and is kept aside as *.corrupt', () =>
  withDir(async (dir) => {
    const file = join(dir, 'settings.json');
    await writeFile(file, JSON.stringify({ theme: 'purple', recentFolders: [] }));
    const logs: string[] = [];
    const s = await SettingsStore.open(file, (l) => void logs.push(l));
    assert.deepEqual(s.get(), { theme: 'system', recentFolders: [] });
    assert.match(logs[0], /theme: expected one of/);
    assert.deepEqual((await readdir(dir)).sort(), ['settings.json.corrupt']);
    await writeFile(file, '{not json');
    assert.deepEqual((await SettingsStore.open(file, () => {})).get().recentFolders, []);
  }));

test('the default user data folder matches Electron per platform', () => {
  assert.equal(defaultUserDataDir({ XDG_CONFIG_HOME: '/x' }, 'linux'), '/x/Locus');
  assert.match(defaultUserDataDir({}, 'darwin'), /Library\/Application Support\/Locus$/);
});

test('temporaries of interrupted settings writes (both patterns) are removed when the store opens', () =>
  withDir(async (dir) => {
    const { spawnSync } = await import('node:child_process');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const file = join(dir, 'settings.json');
    await writeFile(file, JSON.stringify({ theme: 'dark', recentFolders: [] }));
    await writeFile(join(dir, `settings.json.${dead}.tmp`), '{"the');
    await writeFile(join(dir, `.settings.json.${dead}.4.tmp`), '{"theme"');
    const logs: string[] = [];
    const s = await SettingsStore.open(file, (l) => logs.push(l));
    assert.equal(s.get().theme, 'dark');
    assert.deepEqual(await readdir(dir), ['settings.json']);
    assert.deepEqual(logs, ['settings: removed 2 temporary files left by an interrupted write']);
    await s.update({ theme: 'light' });
    assert.deepEqual(await readdir(dir), ['settings.json']);
  }));
