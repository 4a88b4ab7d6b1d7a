/**
 * Decision (or gating) regions as the Clustering view's RBF and mixture-of-experts panels draw them and
 * Train draws a 2-D toy run's: one pixel per grid cell on a small canvas, in the cell's class colour
 * with more opacity the surer the model is, scaled up smoothly over the plot.
 */
export interface RegionGrid {
  /** Cells per side; row 0 is at the bottom of the plane. */
  size: number;
  cls: Uint8Array;
  /** Confidence of that class, 0..255. */
  conf: Uint8Array;
}

export function drawRegions(ctx: CanvasRenderingContext2D, g: RegionGrid, width: number, height: number, colour: (c: number) => string, scratch: HTMLCanvasElement): void {
  scratch.width = g.size;
  scratch.height = g.size;
  const gc = scratch.getContext('2d');
  if (!gc) return;
  gc.clearRect(0, 0, g.size, g.size);
  for (let gy = 0; gy < g.size; gy++) {
    for (let gx = 0; gx < g.size; gx++) {
      const q = gy * g.size + gx;
      gc.globalAlpha = 0.1 + 0.32 * (g.conf[q] / 255);
      gc.fillStyle = colour(g.cls[q]);
      gc.fillRect(gx, g.size - 1 - gy, 1, 1); // row 0 is at y0, the bottom of the plane
    }
  }
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch, 0, 0, width, height);
}
