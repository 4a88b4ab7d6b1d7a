import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { columnDistances, rowDistances, rowDistances2, sqDist, sqNorms } from './distance.js';
import { PrototypeEditor } from './editor.js';
import { OnlineKMeans } from './kmeans.js';

function randomData(n: number, d: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const x = new Float32Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = r.next();
  return x;
}

test('distance kernels agree with the direct formula and with each other bit for bit', () => {
  const d = 13;
  const x = randomData(7, d, 1);
  const c = randomData(6, d, 2);
  const xn = sqNorms(x, 7, d);
  const cn = sqNorms(c, 6, d);
  const row = new Float64Array(6);
  const rows2 = new Float64Array(12);
  const col = new Float64Array(7);
  rowDistances2(x, 2 * d, xn[2], xn[3], c, cn, 6, d, rows2);
  for (let j = 0; j < 6; j++) {
    columnDistances(x, xn, 7, c, j * d, cn[j], d, col);
    for (let i = 0; i < 7; i++) {
      rowDistances(x, i * d, xn[i], c, cn, 6, d, row);
      assert.equal(row[j], col[i]);
      assert.ok(Math.abs(row[j] - sqDist(x, i * d, c, j * d, d)) < 1e-9);
    }
    rowDistances(x, 2 * d, xn[2], c, cn, 6, d, row);
    assert.equal(rows2[j], row[j]);
    rowDistances(x, 3 * d, xn[3], c, cn, 6, d, row);
    assert.equal(rows2[6 + j], row[j]);
  }
});

test('editing then reassigning equals a fresh nearest-prototype pass', () => {
  const n = 401;
  const d = 9;
  const x = randomData(n, d, 3);
  const m = new OnlineKMeans({ k: 6, dim: d, seed: 5 });
  m.init(x, n);
  m.addPrototype(m.prototype(2)); // an exact duplicate: ties must go to the lower index
  const ed = new PrototypeEditor(m, x, n);
  const r = new Rng(9);
  const check = (what: string) => assert.deepEqual(ed.labels, m.assign(x, n), what);
  check('initial');
  for (let e = 0; e < 60; e++) {
    const k = m.prototypes.count;
    const op = r.int(4);
    const before = Int32Array.from(ed.labels);
    const j = r.int(k);
    let res;
    const i = r.int(n);
    if (op === 0) res = ed.set(j, Float32Array.from(x.subarray(i * d, i * d + d))); // exactly on a sample
    else if (op === 1) res = ed.move(j, Float32Array.from({ length: d }, () => 0.3 * r.normal()));
    else if (op === 2 || k < 3) res = ed.add(Float32Array.from({ length: d }, () => r.next()));
    else res = ed.remove(j);
    check(`edit ${e} (op ${op})`);
    // The reported changes are exactly the samples whose label differs (up to renumbering after a removal).
    const reported = new Set(res.samples);
    for (let i = 0; i < n; i++) {
      let old = before[i];
      if (op === 3 && k >= 3 && old > j) old--;
      const changed = op === 3 && k >= 3 && before[i] === j ? true : old !== ed.labels[i];
      assert.equal(reported.has(i), changed, `edit ${e}: sample ${i}`);
    }
  }
});

test('after training steps, moved() keeps the assignment exact', () => {
  const n = 300;
  const d = 5;
  const x = randomData(n, d, 4);
  const m = new OnlineKMeans({ k: 20, dim: d, seed: 2, rate: 0.3 });
  m.init(x, n);
  const ed = new PrototypeEditor(m, x, n);
  m.prototypes.setFrozen(3, true);
  const frozen = m.prototype(3);
  for (let s = 0; s < 200; s++) {
    const st = m.step(x, n);
    ed.moved(st.moved.map((mv) => mv.index));
  }
  assert.deepEqual(ed.labels, m.assign(x, n));
  assert.deepEqual(m.prototype(3), frozen);
});
