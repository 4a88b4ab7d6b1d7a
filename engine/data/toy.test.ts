import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../core/rng.js';
import { TOY_NAMES, toySet } from './toy.js';

describe('toySet', () => {
  it('every set: shape, balanced interleaved labels, finite, deterministic per seed', () => {
    for (const name of TOY_NAMES) {
      const a = toySet(name, 300, new Rng(7));
      const b = toySet(name, 300, new Rng(7));
      const c = toySet(name, 300, new Rng(8));
      assert.equal(a.n, 300);
      assert.equal(a.dim, 2);
      assert.equal(a.x.length, 600);
      assert.deepEqual(a, b, `${name} is deterministic`);
      assert.notDeepEqual(a.x, c.x, `${name} depends on the seed`);
      const k = name === 'blobs' ? 3 : 2;
      for (let i = 0; i < 300; i++) assert.equal(a.labels[i], i % k);
      for (const v of a.x) assert.ok(Number.isFinite(v) && Math.abs(v) < 3, `${name}: ${v}`);
    }
  });

  it('without noise, points lie exactly on their shapes', () => {
    const rings = toySet('rings', 90, new Rng(1), { classes: 3, noise: 0 });
    for (let i = 0; i < 90; i++) {
      const r = Math.hypot(rings.x[2 * i], rings.x[2 * i + 1]);
      assert.ok(Math.abs(r - (1.2 * (rings.labels[i] + 1)) / 3) < 1e-6);
    }
    const moons = toySet('moons', 100, new Rng(1), { noise: 0 });
    for (let i = 0; i < 100; i++) {
      const x = moons.x[2 * i] + 0.5;
      const y = moons.x[2 * i + 1] + 0.25;
      // outer moon: unit circle around (0, 0), upper half; inner: unit circle around (1, 0.5), lower half
      const [cx, cy] = moons.labels[i] === 0 ? [0, 0] : [1, 0.5];
      assert.ok(Math.abs(Math.hypot(x - cx, y - cy) - 1) < 1e-6);
      assert.ok(moons.labels[i] === 0 ? y >= -1e-6 : y <= 0.5 + 1e-6);
    }
    const blobs = toySet('blobs', 8, new Rng(1), { classes: 4, noise: 0 });
    for (let i = 0; i < 8; i++) {
      const a = (2 * Math.PI * (i % 4)) / 4 + Math.PI / 2;
      assert.ok(Math.hypot(blobs.x[2 * i] - Math.cos(a), blobs.x[2 * i + 1] - Math.sin(a)) < 1e-6);
    }
  });

  it('spiral arms: radius grows with the angle, arms are rotated copies', () => {
    const s = toySet('spirals', 400, new Rng(2), { noise: 0 });
    for (let i = 0; i < 400; i++) {
      const x = s.x[2 * i];
      const y = s.x[2 * i + 1];
      const t = Math.hypot(x, y) / 1.2;
      const expected = Math.PI * s.labels[i] + 2.5 * Math.PI * t;
      const d = Math.atan2(y, x) - expected;
      assert.ok(Math.abs(Math.atan2(Math.sin(d), Math.cos(d))) < 1e-5, `point ${i} is on arm ${s.labels[i]}`);
    }
  });

  it('blob clusters are centred where documented', () => {
    const s = toySet('blobs', 3000, new Rng(3));
    for (let c = 0; c < 3; c++) {
      let mx = 0;
      let my = 0;
      for (let i = c; i < 3000; i += 3) {
        mx += s.x[2 * i] / 1000;
        my += s.x[2 * i + 1] / 1000;
      }
      const a = (2 * Math.PI * c) / 3 + Math.PI / 2;
      assert.ok(Math.hypot(mx - Math.cos(a), my - Math.sin(a)) < 0.03, `cluster ${c} mean (${mx}, ${my})`);
    }
  });

  it('bad arguments are refused', () => {
    assert.throws(() => toySet('stars' as never, 10, new Rng(1)), /unknown set 'stars'/);
    assert.throws(() => toySet('blobs', -1, new Rng(1)), /n must be/);
    assert.throws(() => toySet('blobs', 10, new Rng(1), { classes: 0 }), /classes/);
    assert.throws(() => toySet('rings', 10, new Rng(1), { noise: -1 }), /noise/);
  });
});
