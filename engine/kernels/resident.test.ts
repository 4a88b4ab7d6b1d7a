/**
 * Resident arrays: an optimizer's moments live in the kernel memory, the wasm Adam updates them in
 * place with the same bits as copied arrays, and released room is reused (zeroed) by the next owner.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { createOptimizer } from '../optim/index.js';
import { randomArray } from '../testing/numeric.js';
import { adamUpdate } from './adam.js';
import { kernelBackend, setKernelBackend } from './backend.js';
import { arenaZeros, ownedZeros, releaseArrays } from './resident.js';
import { residentInUse, residentOffset, setResidentBudget, wasmHeap } from './wasm/runtime.js';

function withWasm(fn: () => void): void {
  const before = kernelBackend();
  setKernelBackend('wasm');
  try {
    fn();
  } finally {
    setKernelBackend(before);
  }
}

test('Adam on resident moments equals Adam on plain arrays bit for bit, in place', () =>
  withWasm(() => {
    const h = wasmHeap()!;
    const rng = new Rng(4);
    const n = 5003;
    const [w0, g, m0, v0] = [randomArray(rng, n), randomArray(rng, n), randomArray(rng, n), randomArray(rng, n).map(Math.abs)];
    const owner = {};
    const [m, v] = ownedZeros(owner, [n, n]);
    assert.ok(residentOffset(h, m) >= 0 && residentOffset(h, v) >= 0, 'the moments are resident');
    m.set(m0);
    v.set(v0);
    const [pm, pv] = [new Float32Array(m0), new Float32Array(v0)];
    assert.equal(residentOffset(h, pm), -1);
    const [wr, wp] = [new Float32Array(w0), new Float32Array(w0)];
    const step = { lr: 1e-3, l2: 0, keep: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, c1: 10, c2: 1 / Math.sqrt(1 - 0.999) };
    adamUpdate(wr, g, m, v, undefined, step);
    adamUpdate(wp, g, pm, pv, undefined, step);
    assert.deepEqual(new Uint32Array(wr.buffer.slice(0)), new Uint32Array(wp.buffer.slice(0)));
    assert.deepEqual(Array.from(m), Array.from(pm));
    assert.deepEqual(Array.from(v), Array.from(pv));
    assert.notDeepEqual(Array.from(m), Array.from(m0), 'the update reached the resident array');
    releaseArrays([m, v]);
  }));

test('released room is reused, zeroed, by the next arrays of the same size', () =>
  withWasm(() => {
    const h = wasmHeap()!;
    const [a] = ownedZeros({}, [1001]);
    a.fill(7);
    const at = residentOffset(h, a);
    releaseArrays([a]);
    const [b] = ownedZeros({}, [1001]);
    assert.equal(residentOffset(h, b), at);
    assert.ok(b.every((x) => x === 0));
    releaseArrays([b]);
  }));

test("an optimizer's state round-trips through getState/setState with resident slots", () =>
  withWasm(() => {
    const rng = new Rng(5);
    const params = [0, 1].map((i) => ({ name: `p${i}`, shape: [300], value: randomArray(rng, 300), grad: randomArray(rng, 300), decay: true }));
    const a = createOptimizer({ type: 'adam', lr: 1e-2 });
    a.step(params);
    a.step(params);
    const b = createOptimizer({ type: 'adam', lr: 1e-2 });
    b.setState(a.getState());
    assert.deepEqual(b.getState(), a.getState());
    const copy = params.map((p) => ({ ...p, value: new Float32Array(p.value) }));
    a.step(params);
    b.step(copy);
    params.forEach((p, i) => assert.deepEqual(Array.from(copy[i].value), Array.from(p.value)));
  }));

test('past the resident budget new arrays are ordinary ones, until room comes back', () =>
  withWasm(() => {
    const h = wasmHeap()!;
    const before = setResidentBudget(residentInUse(h, 'owned'));
    try {
      const [plain] = ownedZeros({}, [2000]);
      assert.equal(residentOffset(h, plain), -1, 'no budget left: an ordinary array');
      setResidentBudget(residentInUse(h, 'owned') + 3 * 2000 * 4);
      const arrays = ownedZeros({}, [2000, 2000, 2000, 2000]);
      assert.deepEqual(arrays.map((a) => residentOffset(h, a) >= 0), [true, true, true, false]);
      releaseArrays(arrays);
      const [again] = ownedZeros({}, [2000]);
      assert.ok(residentOffset(h, again) >= 0, 'released room counts again');
      releaseArrays([again]);
    } finally {
      setResidentBudget(before);
    }
  }));

test('arenas and parameters have budgets of their own: neither takes the room of the other', () =>
  withWasm(() => {
    const h = wasmHeap()!;
    const owned = setResidentBudget(residentInUse(h, 'owned'));
    const arena = setResidentBudget(residentInUse(h, 'arena') + 2 * 2000 * 4, 'arena');
    try {
      const [plain] = ownedZeros({}, [2000]);
      assert.equal(residentOffset(h, plain), -1, 'no parameter room left');
      const a = [arenaZeros(2000), arenaZeros(2000), arenaZeros(2000)];
      assert.deepEqual(a.map((x) => residentOffset(h, x) >= 0), [true, true, false], 'the arena pool has room for two');
      setResidentBudget(residentInUse(h, 'owned') + 2000 * 4);
      const [p] = ownedZeros({}, [2000]);
      assert.ok(residentOffset(h, p) >= 0, 'parameters are not held back by full arenas');
      releaseArrays([p]);
    } finally {
      setResidentBudget(owned);
      setResidentBudget(arena, 'arena');
    }
  }));
