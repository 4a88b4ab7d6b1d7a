import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { documentsFolder, exportFolder, inFolder, SAVE_METHODS, saveFolders, savedFolder } from './save-folder.js';
import { SettingsStore } from './settings.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'locus-save-folder-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the rule: the last export folder if it is there, else documents, else home', () =>
  withDir(async (dir) => {
    const last = join(dir, 'exports');
    const docs = join(dir, 'Documents');
    assert.equal(await exportFolder(undefined, docs, dir), dir, 'no documents folder: home');
    await mkdir(docs);
    assert.equal(await exportFolder(undefined, docs, dir), docs);
    assert.equal(await exportFolder(last, docs, dir), docs, 'a last folder that has gone is skipped');
    await mkdir(last);
    assert.equal(await exportFolder(last, docs, dir), last);
  }));

test('a proposed name stays in its folder', () => {
  assert.equal(inFolder('/d', 'gan.locus.json'), join('/d', 'gan.locus.json'));
  assert.equal(inFolder('/d', '../../etc/passwd'), join('/d', 'passwd'));
  assert.equal(inFolder('/d', 'a\\b\\c.json'), join('/d', 'c.json'));
  assert.equal(inFolder('/d', '..'), join('/d', 'untitled'));
});

test('every method that writes at a path is learnt from, nothing else', () => {
  for (const m of ['models.export', 'models.exportTo', 'gan.export', 'sequence.export', 'runs.export', 'experiments.export', 'experiments.fromRuns']) {
    assert.ok(SAVE_METHODS.has(m), m);
    assert.equal(savedFolder(m, { path: '/a/b/file.json' }), resolve('/a/b'));
  }
  assert.equal(savedFolder('data.open', { path: '/a/b' }), null);
  assert.equal(savedFolder('models.import', { path: '/a/b/m.json' }), null);
  assert.equal(savedFolder('experiments.fromRuns', { runIds: ['r1'] }), null, 'fromRuns without a path saves nothing');
});

test('the documents folder: XDG_DOCUMENTS_DIR where set, else Documents at home', () => {
  assert.equal(documentsFolder({}, '/home/u'), join('/home/u', 'Documents'));
  assert.equal(documentsFolder({ XDG_DOCUMENTS_DIR: '$HOME/Dokumente' }, '/home/u'), '/home/u/Dokumente');
  assert.equal(documentsFolder({ XDG_DOCUMENTS_DIR: 'relative' }, '/home/u'), join('/home/u', 'Documents'));
});

test('bound to the settings: learnt after an export, kept across a restart', () =>
  withDir(async (dir) => {
    const file = join(dir, 'settings.json');
    const docs = join(dir, 'Documents');
    const out = join(dir, 'out');
    await mkdir(docs);
    await mkdir(out);
    const s = await SettingsStore.open(file);
    const saves = saveFolders(s, docs, dir);
    assert.equal(await saves.suggest('m.locus.json'), join(docs, 'm.locus.json'));
    assert.equal(saves.learn('data.open', { path: out }), null);
    await saves.learn('sequence.export', { path: join(out, 's.locus.json') });
    assert.equal(await saves.suggest('m.locus.json'), join(out, 'm.locus.json'));
    const again = saveFolders(await SettingsStore.open(file), docs, dir);
    assert.equal(await again.suggest('r.html'), join(out, 'r.html'));
  }));
