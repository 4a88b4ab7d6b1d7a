/**
 * Local models in the PyTorch export: their arrays go to weights.bin (float32; float64 ones stay in
 * locus.json as the model file has them), and model.py's nearest() picks the prototypes Locus picks for
 * k-means and the SOM (python3 with numpy; skips with the reason where it is missing).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Rng } from '../../core/rng.js';
import { OnlineKMeans } from '../../local/kmeans.js';
import { oneHot, RbfNetwork } from '../../local/rbf.js';
import { trainHybrid } from '../../local/rbf-train.js';
import { Som } from '../../local/som.js';
import { kmeansToFile } from '../kmeans.js';
import { rbfToFile } from '../rbf.js';
import { somToFile } from '../som.js';
import { exportPytorch } from './export.js';
import { PYTHON, torchMissing } from './testkit.js';
import { writePackage } from './write.js';

const tmp = mkdtempSync(join(tmpdir(), 'locus-pytorch-local-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const training = { seed: 3, settings: {}, history: [] };
const data = { input: { channels: 1, height: 2, width: 3 }, normalization: { kind: 'unit' as const }, classes: ['a', 'b'] };
const d = 6;
const n = 200;
const r = new Rng(1);
const x = Float32Array.from({ length: n * d }, () => r.next());

/** model.nearest(x) in Python for a package. */
function pythonNearest(dir: string): number[] {
  const input = join(dir, 'x.bin');
  writeFileSync(input, new Uint8Array(x.buffer));
  const code = `import sys, json, numpy as np\nsys.path.insert(0, sys.argv[1])\nimport model\nx = np.fromfile(sys.argv[2], dtype="<f4").reshape(${n}, ${d})\nprint(json.dumps(model.nearest(x).tolist()))`;
  const res = spawnSync(PYTHON, ['-c', code, dir, input], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout) as number[];
}

test('k-means and SOM packages: nearest() in Python picks the prototype Locus picks', { skip: torchMissing() ?? false }, async () => {
  const km = new OnlineKMeans({ k: 7, dim: d, seed: 7, rate: 0.2 });
  km.init(x, n);
  for (let s = 0; s < 300; s++) km.step(x, n);
  const kdir = join(tmp, 'kmeans');
  await writePackage(kdir, exportPytorch(JSON.parse(JSON.stringify(kmeansToFile({ model: km, data, training })))).files);
  assert.deepEqual(pythonNearest(kdir), [...km.assign(x, n)]);

  const som = new Som({ dim: d, width: 4, height: 3, topology: 'hexagonal', seed: 5 });
  som.init(x, n, 'sample');
  for (let s = 0; s < 300; s++) som.step(x, n);
  const sdir = join(tmp, 'som');
  await writePackage(sdir, exportPytorch(JSON.parse(JSON.stringify(somToFile({ model: som, data: {}, training })))).files);
  assert.deepEqual(pythonNearest(sdir), Array.from({ length: n }, (_, i) => som.bmu(x, i * d)));
  const manifest = JSON.parse(readFileSync(join(sdir, 'weights.json'), 'utf8'));
  assert.deepEqual(manifest.tensors.map((t: { name: string; shape: number[] }) => [t.name, t.shape]), [['prototypes', [12, 6]]]);
  assert.deepEqual(JSON.parse(readFileSync(join(sdir, 'locus.json'), 'utf8')).model.prototypes, { array: 'prototypes' });
});

test('an RBF network exports its float32 arrays to weights.bin and keeps its float64 ones in locus.json', () => {
  const labels = Int32Array.from({ length: n }, (_, i) => (x[i * d] > 0.5 ? 1 : 0));
  const net = new RbfNetwork({ dim: d, outputs: 2, task: 'classification', seed: 9 });
  trainHybrid(net, x, oneHot(labels, 2), n, { k: 5 });
  const pkg = exportPytorch(JSON.parse(JSON.stringify(rbfToFile({ model: net, data, training }))));
  assert.deepEqual(pkg.files.map((f) => f.name), ['model.py', 'data.py', 'locus.json', 'weights.bin', 'weights.json']);
  const info = JSON.parse(pkg.files.find((f) => f.name === 'locus.json')!.data as string);
  assert.equal(info.kind, 'rbf');
  assert.ok(pkg.manifest.tensors.length >= 1, 'the centers are arrays');
  assert.equal(info.model.spreads.dtype, 'float64');
  assert.doesNotMatch(pkg.files[0].data as string, /def nearest/);
});
