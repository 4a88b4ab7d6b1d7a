import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { onEachBackend } from '../testing/backends.js';
import { OnlineKMeans } from './kmeans.js';
import { lloydReference } from './lloyd-reference.js';

test('Lloyd iterations equal the plain definition bit for bit (centroids, inertia, labels; both kernel backends)', () => {
  onEachBackend((backend) => {
    const r = new Rng(31);
    for (const [n, k, d] of [[3000, 9, 13], [5000, 64, 37], [700, 5, 6]]) {
      const x = Float32Array.from({ length: n * d }, () => r.normal() + (r.next() < 0.5 ? 2 : -1));
      const m = new OnlineKMeans({ k, dim: d, init: 'random', seed: 2 });
      m.init(x, n);
      const start = Float32Array.from(m.prototypes.data);
      const got = m.lloyd(x, n, 3);
      const ref = lloydReference(x, n, d, start, k, 3);
      const what = `${backend} n=${n} k=${k} d=${d}`;
      assert.deepEqual(Float32Array.from(m.prototypes.data), ref.c, `${what}: centroids`);
      assert.deepEqual(got.inertia, ref.inertia, `${what}: inertia`);
      assert.deepEqual(m.assign(x, n), ref.labels[3], `${what}: labels`);
    }
  });
});
