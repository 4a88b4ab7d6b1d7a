/**
 * writeExternal, shared by `locus export` and the app: with overwrite false it replaces only nothing,
 * an empty folder or an earlier Locus export of the same format, and refuses anything else untouched.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { presetSpec } from '../models/presets.js';
import { ExportError, targetState, writeExternal } from './exports.js';
import { classifierFile } from './pytorch/nets.js';

const tmp = mkdtempSync(join(tmpdir(), 'locus-exports-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('exports replace only what Locus wrote unless told to overwrite', async () => {
  const file = classifierFile(presetSpec('mlp', [1, 4, 4], 2));
  const onnx = join(tmp, 'm.onnx');
  assert.equal(await targetState('onnx', onnx), 'new');
  const w = await writeExternal(file, 'onnx', onnx, { overwrite: false });
  assert.equal(w.files.length, 1);
  assert.equal(await targetState('onnx', onnx), 'locus');
  await writeExternal(file, 'onnx', onnx, { overwrite: false }); // an earlier export is replaced

  const notes = join(tmp, 'notes.onnx');
  writeFileSync(notes, 'my notes');
  await assert.rejects(writeExternal(file, 'onnx', notes, { overwrite: false }), (e: unknown) => e instanceof ExportError && e.exists && /not replaced/.test(e.message));
  assert.equal(readFileSync(notes, 'utf8'), 'my notes');
  await writeExternal(file, 'onnx', notes, { overwrite: true });
  assert.equal(await targetState('onnx', notes), 'locus');

  const pkg = join(tmp, 'pkg');
  mkdirSync(pkg);
  assert.equal(await targetState('pytorch', pkg), 'new', 'an empty folder');
  await writeExternal(file, 'pytorch', pkg, { overwrite: false });
  assert.equal(await targetState('pytorch', pkg), 'locus');
  const project = join(tmp, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'model.py'), '# mine');
  await assert.rejects(writeExternal(file, 'pytorch', project, { overwrite: false }), /a folder with other files; it was not replaced/);
  assert.equal(readFileSync(join(project, 'model.py'), 'utf8'), '# mine');
});
