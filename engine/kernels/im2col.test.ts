import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { randomArray } from '../testing/numeric.js';
import { colCols, colRows, imageSize, windowGeom, type WindowGeom } from './geometry.js';
import { col2im, im2col } from './im2col.js';

function randomGeom(rng: Rng): WindowGeom {
  for (;;) {
    try {
      return windowGeom({
        channels: 1 + rng.int(3),
        height: 1 + rng.int(9),
        width: 1 + rng.int(9),
        kernelH: 1 + rng.int(4),
        kernelW: 1 + rng.int(4),
        strideH: 1 + rng.int(3),
        strideW: 1 + rng.int(3),
        dilationH: 1 + rng.int(2),
        dilationW: 1 + rng.int(2),
        padTop: rng.int(3),
        padBottom: rng.int(3),
        padLeft: rng.int(3),
        padRight: rng.int(3),
      });
    } catch {
      // window larger than the padded image: draw again
    }
  }
}

test('im2col puts tap (c,i,j) of output (oy,ox) at row (c*kH+i)*kW+j, zero in the padding', () => {
  const rng = new Rng(3);
  for (let t = 0; t < 60; t++) {
    const g = randomGeom(rng);
    const x = randomArray(rng, imageSize(g) + 2);
    const col = new Float32Array(colRows(g) * colCols(g) + 1).fill(9);
    im2col(x, 2, g, col, 1);
    assert.equal(col[0], 9);
    for (let c = 0; c < g.channels; c++)
      for (let i = 0; i < g.kernelH; i++)
        for (let j = 0; j < g.kernelW; j++)
          for (let oy = 0; oy < g.outH; oy++)
            for (let ox = 0; ox < g.outW; ox++) {
              const iy = oy * g.strideH - g.padTop + i * g.dilationH;
              const ix = ox * g.strideW - g.padLeft + j * g.dilationW;
              const inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width;
              const want = inside ? x[2 + (c * g.height + iy) * g.width + ix] : 0;
              const got = col[1 + (((c * g.kernelH + i) * g.kernelW + j) * g.outH + oy) * g.outW + ox];
              assert.equal(got, want, `geom ${JSON.stringify(g)} c${c} i${i} j${j} oy${oy} ox${ox}`);
            }
  }
});

test('col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>, and it adds', () => {
  const rng = new Rng(4);
  for (let t = 0; t < 60; t++) {
    const g = randomGeom(rng);
    const x = randomArray(rng, imageSize(g));
    const c = randomArray(rng, colRows(g) * colCols(g));
    const colX = new Float32Array(c.length);
    im2col(x, 0, g, colX, 0);
    const base = randomArray(rng, x.length);
    const back = new Float32Array(base);
    col2im(c, 0, g, back, 0);
    let lhs = 0;
    let rhs = 0;
    for (let i = 0; i < c.length; i++) lhs += colX[i] * c[i];
    for (let i = 0; i < x.length; i++) rhs += x[i] * (back[i] - base[i]);
    assert.ok(Math.abs(lhs - rhs) <= 1e-4 * (1 + Math.abs(lhs)), `geom ${JSON.stringify(g)}: ${lhs} vs ${rhs}`);
  }
});
