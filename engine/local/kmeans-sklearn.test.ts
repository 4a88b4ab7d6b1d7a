/**
 * k-means against scikit-learn (Debian's python3-sklearn, run with /usr/bin/python3) on the same
 * vectors: Lloyd's iterations from the same initial centroids must reach the same inertia (to float
 * tolerance: our centroids are stored in float32) and the same clusters; a k-means++ start followed by
 * Lloyd must come within a few percent of sklearn's best of 10 k-means++ runs. Skipped, with the reason,
 * when scikit-learn is not installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Rng } from '../core/rng.js';
import { OnlineKMeans } from './kmeans.js';
import { greedyTrials } from './kmeans-init.js';
import { existsSync } from 'node:fs';
import { DEBIAN_FASHION_MNIST } from '../data/idx.js';
import { fashionSubset, runPython, writeF32 } from './sklearn-testkit.js';

const fashionSkip = existsSync(`${DEBIAN_FASHION_MNIST}/train-images-idx3-ubyte.gz`) ? false : `Debian's dataset-fashion-mnist is not installed (${DEBIAN_FASHION_MNIST})`;

const PY = '/usr/bin/python3';
const probe = spawnSync(PY, ['-c', 'import sklearn'], { encoding: 'utf8' });
const skip = probe.status === 0 ? false : `scikit-learn is not importable by ${PY} (apt-get install python3-sklearn): ${(probe.stderr || String(probe.error)).trim().split('\n').pop()}`;
if (skip) console.log(`# skipping the scikit-learn comparison: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), 'locus-sklearn-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An overlapping Gaussian mixture: 8 clusters in 30-d, so k-means has local optima to fall into. */
function mixture(n: number, d: number, k: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const centres = Float64Array.from({ length: k * d }, () => r.normal());
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = r.int(k);
    const s = 0.4 + (0.6 * c) / k;
    for (let t = 0; t < d; t++) x[i * d + t] = centres[c * d + t] + s * r.normal();
  }
  return x;
}

function sklearn(script: string, files: Record<string, Float32Array>): Record<string, number | number[]> {
  for (const [name, a] of Object.entries(files)) writeFileSync(join(dir, name), Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  const r = spawnSync(PY, ['-c', script, dir], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const n = 1200;
const d = 30;
const k = 8;
const x = mixture(n, d, k, 21);

// One Python run serves both checks (importing sklearn is most of the time).
let py: Record<string, number | number[]> = {};
const start = new OnlineKMeans({ k, dim: d, seed: 3, init: 'random' });
before(() => {
  if (skip) return;
  start.init(x, n);
  py = sklearn(
    `
import sys, json, numpy as np
from sklearn.cluster import KMeans
d = sys.argv[1]
x = np.fromfile(d + '/x.f32', '<f4').astype(np.float64).reshape(${n}, ${d})
c0 = np.fromfile(d + '/c0.f32', '<f4').astype(np.float64).reshape(${k}, ${d})
same = KMeans(n_clusters=${k}, init=c0, n_init=1, max_iter=100, tol=0, algorithm='lloyd').fit(x)
best = KMeans(n_clusters=${k}, init='k-means++', n_init=10, random_state=0, algorithm='lloyd').fit(x)
print(json.dumps({'inertia': float(same.inertia_), 'labels': same.labels_.tolist(), 'iterations': int(same.n_iter_), 'best': float(best.inertia_)}))
`,
    { 'x.f32': x, 'c0.f32': Float32Array.from(start.prototypes.data) },
  );
});

test('Lloyd from the same initial centroids: same inertia and clusters as sklearn', { skip }, () => {
  const res = start.lloyd(x, n, 100);
  const ours = res.inertia[res.inertia.length - 1];
  const labels = start.assign(x, n);
  assert.ok(Math.abs(ours - (py.inertia as number)) <= 1e-6 * ours, `inertia: ours ${ours}, sklearn ${py.inertia}`);
  assert.deepEqual(Array.from(labels), py.labels, 'the same cluster for every sample');
  assert.ok((py.iterations as number) < 100, 'sklearn converged within the iterations we ran');
});

test("k-means++ then Lloyd: within 3% of sklearn's best of 10 k-means++ runs", { skip }, () => {
  const m = new OnlineKMeans({ k, dim: d, seed: 5, init: 'kmeans++' });
  m.init(x, n);
  const res = m.lloyd(x, n, 100);
  const ours = res.inertia[res.inertia.length - 1];
  const best = py.best as number;
  console.log(`# k-means++ inertia: ours ${ours.toFixed(1)} (one run), sklearn ${best.toFixed(1)} (best of 10), ratio ${(ours / best).toFixed(4)}`);
  assert.ok(ours <= 1.03 * best, `ours ${ours} vs sklearn ${best}`);
  assert.ok(ours >= 0.97 * best, 'not suspiciously lower either (same objective)');
});

test("greedy k-means++, Lloyd until stable, best of 10 starts: within 1% of sklearn's KMeans(n_init=10) on Fashion-MNIST at k = 10 and 32", { skip: skip || fashionSkip, timeout: 60_000 }, async () => {
  const sub = await fashionSubset('train', 80);
  const xs = Float32Array.from(sub.pixels, (v) => v / 255);
  const ks = [10, 32];
  const ref = runPython(
    `
import sys, json, numpy as np
from sklearn.cluster import KMeans
x = np.fromfile(sys.argv[1] + '/x.f32', '<f4').astype(np.float64).reshape(${sub.n}, 784)
print(json.dumps({str(k): float(KMeans(n_clusters=k, n_init=10, random_state=0).fit(x).inertia_) for k in ${JSON.stringify(ks)}}))
`,
    (dir) => writeF32(dir, 'x.f32', xs),
  );
  for (const kk of ks) {
    let best = Infinity;
    for (let r = 0; r < 10; r++) {
      const m = new OnlineKMeans({ k: kk, dim: 784, seed: 1 + r });
      m.init(xs, sub.n, greedyTrials(kk));
      const res = m.lloyd(xs, sub.n, 300, { untilStable: true });
      best = Math.min(best, res.inertia[res.inertia.length - 1]);
    }
    const theirs = ref[String(kk)] as number;
    console.log(`# k = ${kk}: ours ${best.toFixed(1)}, sklearn ${theirs.toFixed(1)} (best of 10 each, ${sub.n} images), ratio ${(best / theirs).toFixed(4)}`);
    assert.ok(best <= 1.01 * theirs, `k = ${kk}: ${best} vs sklearn ${theirs}`);
  }
});
