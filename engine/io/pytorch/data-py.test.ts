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

/** data.py's ImageFolder (or ImageRows) inputs, in scan order, as float32. */
function pythonInputs(root: string, info: object, rows: boolean): { x: Float32Array; labels: number[]; paths: string[] } {
  const dir = mkdtempSync(join(tmp, 'py-'));
  writeFileSync(join(dir, 'data.py'), DATA_PY);
  writeFileSync(join(dir, 'locus.json'), JSON.stringify(info));
  const code = `import sys, json, numpy as np, torch
sys.path.insert(0, sys.argv[1])
import data
ds = (data.ImageRows if sys.argv[3] == "rows" else data.ImageFolder)(sys.argv[2], data.read_info(sys.argv[1]))
xs = torch.stack([ds[i][0] for i in range(len(ds))]).numpy().astype("<f4")
xs.tofile(sys.argv[1] + "/x.bin")
print(json.dumps({"labels": [l for _, l in ds.items], "paths": [p for p, _ in ds.items], "skipped": len(ds.skipped)}))`;
  const res = spawnSync(PYTHON, ['-c', code, dir, root, rows ? 'rows' : 'images'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout) as { labels: number[]; paths: string[] };
  const b = readFileSync(join(dir, 'x.bin'));
  return { x: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), ...out };
}

async function locusInputs(root: string, channels: 1 | 3, norm: Normalization, size: [number, number] = [W, H]) {
  const { set } = await loadImageFolder(root, { width: size[0], height: size[1], channels, cacheDir: null });
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
  for (const [channels, normalization] of cases) {
    const info = { kind: 'classifier', model: { classes, input: { channels, height: H, width: W }, normalization, fit: 'cover' } };
    const py = pythonInputs(root, info, false);
    const { set, x } = await locusInputs(root, channels, normalization);
    assert.deepEqual(py.paths, set.paths, 'the same files in the same order (hidden ones left out)');
    assert.deepEqual(py.labels, [...set.labels]);
    const d = maxDiff(py.x, x);
    assert.ok(d < 1e-6, `${channels} channels, ${normalization.kind}: data.py differs from Locus by ${d}`);
  }
  // A sequence model reads the RGB images row by row, pixels interleaved.
  const normalization: Normalization = { kind: 'unit' };
  const info = { kind: 'sequence', model: { classes, data: { source: 'rows', image: { channels: 3, height: H, width: W }, normalization }, fit: 'cover' } };
  const py = pythonInputs(root, info, true);
  const { set, x } = await locusInputs(root, 3, normalization);
  const rows = new Float32Array(x.length);
  chwToRows(x, set.n, 3, H, W, rows);
  assert.ok(maxDiff(py.x, rows) < 1e-6, 'image rows as Locus builds them');
});

test('with resizing (Pillow here, libvips in Locus; both Lanczos, cover fit) pixels stay close', { skip: torchMissing() ?? false }, async () => {
  const root = await folder([40, 29], true);
  const normalization: Normalization = { kind: 'unit' };
  const info = { kind: 'classifier', model: { classes: ['cat', 'dog', 'émeu'], input: { channels: 3, height: 12, width: 16 }, normalization, fit: 'cover' } };
  const py = pythonInputs(root, info, false);
  const { x } = await locusInputs(root, 3, normalization, [16, 12]);
  const d = maxDiff(py.x, x);
  const mean = py.x.reduce((a, v, i) => a + Math.abs(v - x[i]), 0) / x.length;
  console.log(`resized: max ${(d * 255).toFixed(1)} levels, mean ${(mean * 255).toFixed(2)} levels`);
  assert.ok(mean * 255 < 3, `mean difference ${mean * 255} levels`);
});
