/**
 * data.py against Locus's own loader: images already at the model's size (RGB, gray and transparent
 * PNGs, nested folders, hidden files) give exactly the inputs Locus gives, gray and RGB, with each
 * normalization, and a sequence model's image rows come out in Locus's order (pixel-interleaved).
 * With resizing (Pillow here, libvips in Locus) the pixels differ by a few levels: measured and bounded.
 * Skips with the reason where python3 or torch is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { Rng } from '../../core/rng.js';
import { fillBatch } from '../../data/batch.js';
import { loadImageFolder } from '../../data/folder.js';
import type { Fit } from '../../data/decode.js';
import type { Normalization } from '../../data/normalize.js';
import { chwToRows } from '../../data/series.js';
import { DATA_PY } from './data-py.js';
import { PYTHON, torchMissing } from './testkit.js';

const tmp = mkdtempSync(join(tmpdir(), 'locus-data-py-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const W = 7;
const H = 5;

/** Three classes of PNGs (RGB, gray, RGBA); noise by default, smooth shapes (photo-like) with `smooth`. */
async function folder(size: [number, number], smooth = false): Promise<string> {
  const root = join(tmp, `images-${size.join('x')}`);
  const r = new Rng(4);
  const value = (k: number, ch: number) => {
    if (!smooth) return Math.floor(r.next() * 256);
    const c = k % ch;
    const p = Math.floor(k / ch);
    const [px, py] = [p % size[0], Math.floor(p / size[0])];
    return Math.round(127 + 100 * Math.sin(px / 6 + c) * Math.cos(py / 9 - c));
  };
  for (const [c, sub] of [['cat', ''], ['dog', 'deeper/'], ['émeu', '']]) {
    mkdirSync(join(root, c, sub), { recursive: true });
    for (let i = 0; i < 3; i++) {
      const ch = i === 2 ? 4 : i === 1 ? 1 : 3; // RGB, gray, RGBA
      const px = Buffer.from(Array.from({ length: size[0] * size[1] * ch }, (_, k) => (smooth && ch === 4 && k % 4 === 3 ? 255 : value(k, ch))));
      await sharp(px, { raw: { width: size[0], height: size[1], channels: ch as 1 | 3 | 4 } }).png().toFile(join(root, c, sub, `${i}.png`));
    }
  }
  writeFileSync(join(root, 'cat', '.hidden.png'), 'not an image');
  return root;
}

interface PyJob {
  root: string;
  info: object;
  rows: boolean;
}

/**
 * data.py's ImageFolder (or ImageRows) inputs, in scan order, as float32, for each job: one Python
 * process for all of them (importing torch takes seconds).
 */
function pythonInputs(jobs: PyJob[]): { x: Float32Array; labels: number[]; paths: string[] }[] {
  const dirs = jobs.map((j) => {
    const dir = mkdtempSync(join(tmp, 'py-'));
    writeFileSync(join(dir, 'locus.json'), JSON.stringify(j.info));
    return dir;
  });
  const code = `import sys, json, numpy as np, torch
sys.path.insert(0, sys.argv[1])
import data
out = []
for job in json.loads(sys.argv[2]):
    ds = (data.ImageRows if job["rows"] else data.ImageFolder)(job["root"], data.read_info(job["dir"]))
    xs = torch.stack([ds[i][0] for i in range(len(ds))]).numpy().astype("<f4")
    xs.tofile(job["dir"] + "/x.bin")
    out.append({"labels": [l for _, l in ds.items], "paths": [p for p, _ in ds.items], "skipped": len(ds.skipped)})
print(json.dumps(out))`;
  const codeDir = mkdtempSync(join(tmp, 'code-'));
  writeFileSync(join(codeDir, 'data.py'), DATA_PY);
  const spec = JSON.stringify(jobs.map((j, i) => ({ root: j.root, rows: j.rows, dir: dirs[i] })));
  const res = spawnSync(PYTHON, ['-c', code, codeDir, spec], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(res.status, 0, res.stderr);
  const outs = JSON.parse(res.stdout) as { labels: number[]; paths: string[] }[];
  return outs.map((o, i) => {
    const b = readFileSync(join(dirs[i], 'x.bin'));
    return { x: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), ...o };
  });
}

async function locusInputs(root: string, channels: 1 | 3, norm: Normalization, size: [number, number] = [W, H], fit: Fit = 'cover') {
  const { set } = await loadImageFolder(root, { width: size[0], height: size[1], channels, fit, cacheDir: null });
  const out = new Float32Array(set.n * channels * size[0] * size[1]);
  fillBatch(set, Int32Array.from({ length: set.n }, (_, i) => i), 0, set.n, norm, out);
  return { set, x: out };
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), a.length === b.length ? 0 : Infinity);

test('data.py gives the inputs Locus gives for images at the model size (gray and RGB, every normalization)', { skip: torchMissing() ?? false }, async () => {
  const root = await folder([W, H]);
  const classes = ['cat', 'dog', 'émeu'];
  const cases: [1 | 3, Normalization][] = [
    [1, { kind: 'unit' }],
    [3, { kind: 'symmetric' }],
    [3, { kind: 'standard', mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] }],
  ];
  const info = (channels: number, normalization: Normalization) => ({ kind: 'classifier', model: { classes, input: { channels, height: H, width: W }, normalization, fit: 'cover' } });
  // A sequence model reads the RGB images row by row, pixels interleaved.
  const unit: Normalization = { kind: 'unit' };
  const rowsInfo = { kind: 'sequence', model: { classes, data: { source: 'rows', image: { channels: 3, height: H, width: W }, normalization: unit }, fit: 'cover' } };
  const got = pythonInputs([...cases.map(([c, n]) => ({ root, info: info(c, n), rows: false })), { root, info: rowsInfo, rows: true }]);
  for (const [i, [channels, normalization]] of cases.entries()) {
    const py = got[i];
    const { set, x } = await locusInputs(root, channels, normalization);
    assert.deepEqual(py.paths, set.paths, 'the same files in the same order (hidden ones left out)');
    assert.deepEqual(py.labels, [...set.labels]);
    const d = maxDiff(py.x, x);
    assert.ok(d < 1e-6, `${channels} channels, ${normalization.kind}: data.py differs from Locus by ${d}`);
  }
  const py = got[cases.length];
  const { set, x } = await locusInputs(root, 3, unit);
  const rows = new Float32Array(x.length);
  chwToRows(x, set.n, 3, H, W, rows);
  assert.ok(maxDiff(py.x, rows) < 1e-6, 'image rows as Locus builds them');
});

test('with resizing (Pillow here, libvips in Locus; both Lanczos) pixels stay close for each fit, on images wider and taller than the model', { skip: torchMissing() ?? false }, async () => {
  const wide = await folder([40, 29], true);
  const tall = await folder([37, 45], true);
  const normalization: Normalization = { kind: 'unit' };
  const cases: [string, Fit][] = [wide, tall].flatMap((root) => (['cover', 'contain', 'fill'] as const).map((fit): [string, Fit] => [root, fit]));
  const info = (fit: Fit) => ({ kind: 'classifier', model: { classes: ['cat', 'dog', 'émeu'], input: { channels: 3, height: 12, width: 16 }, normalization, fit } });
  const got = pythonInputs(cases.map(([root, fit]) => ({ root, info: info(fit), rows: false })));
  for (const [i, [root, fit]] of cases.entries()) {
    const { x } = await locusInputs(root, 3, normalization, [16, 12], fit);
    const py = got[i].x;
    assert.equal(py.length, x.length);
    const d = maxDiff(py, x);
    const mean = py.reduce((a, v, k) => a + Math.abs(v - x[k]), 0) / x.length;
    console.log(`${root === wide ? '40x29' : '37x45'} ${fit}: max ${(d * 255).toFixed(1)} levels, mean ${(mean * 255).toFixed(2)} levels`);
    // The same geometry (size, crop, padding) gives a mean of a few levels; a pixel shifted by one would not.
    assert.ok(mean * 255 < 3, `${fit}: mean difference ${mean * 255} levels`);
  }
});
