/**
 * SOM lattice geometry, following MiniSom (minisom.py) so figures can be compared:
 *  - a width x height lattice (MiniSom's x, y); unit u = x * height + y; a 1-D lattice has height 1;
 *  - rectangular units sit at (x, y); hexagonal units at (x - 0.5 [y even], y * sqrt(3)/2), so each unit
 *    has six neighbours at distance 1 (MiniSom shifts the rows counted from the last one, which is the
 *    same when height is odd; its hexagonal U-matrix uses the even-row convention used here);
 *  - neighbourhoods: gaussian exp(-dx^2/2s^2) exp(-dy^2/2s^2); mexican hat exp(-p/2s^2)(1 - p/s^2)
 *    with p = dx^2 + dy^2; bubble 1 when |x - cx| < s and |y - cy| < s on lattice indices, else 0;
 *  - adjacency (topographic error, U-matrix): the 8 surrounding units on a rectangular lattice, the 6 at
 *    distance 1 on a hexagonal one.
 */
export type Topology = 'rectangular' | 'hexagonal';
export type Neighbourhood = 'gaussian' | 'bubble' | 'mexican-hat';

export class Lattice {
  readonly width: number;
  readonly height: number;
  readonly topology: Topology;
  readonly size: number;
  /** Plane coordinates per unit (x, y interleaved). */
  readonly coords: Float64Array;
  /** Adjacent units of each unit. */
  readonly neighbours: readonly Int32Array[];

  constructor(width: number, height: number, topology: Topology) {
    if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
      throw new Error(`SOM lattice size must be positive integers, got ${width} x ${height}`);
    }
    if (topology !== 'rectangular' && topology !== 'hexagonal') throw new Error(`SOM topology must be rectangular or hexagonal, got ${String(topology)}`);
    this.width = width;
    this.height = height;
    this.topology = topology;
    this.size = width * height;
    this.coords = new Float64Array(2 * this.size);
    for (let x = 0; x < width; x++) {
      for (let y = 0; y < height; y++) {
        const u = x * height + y;
        const hex = topology === 'hexagonal';
        this.coords[2 * u] = hex && y % 2 === 0 ? x - 0.5 : x;
        this.coords[2 * u + 1] = hex ? (y * Math.sqrt(3)) / 2 : y;
      }
    }
    const nb: Int32Array[] = [];
    for (let u = 0; u < this.size; u++) {
      const list: number[] = [];
      for (let v = 0; v < this.size; v++) if (v !== u && this.adjacent(u, v)) list.push(v);
      nb.push(Int32Array.from(list));
    }
    this.neighbours = nb;
  }

  /** Lattice indices (x, y) of unit u. */
  position(u: number): [number, number] {
    return [Math.floor(u / this.height), u % this.height];
  }

  adjacent(u: number, v: number): boolean {
    if (this.topology === 'hexagonal') {
      const dx = this.coords[2 * u] - this.coords[2 * v];
      const dy = this.coords[2 * u + 1] - this.coords[2 * v + 1];
      return Math.abs(Math.hypot(dx, dy) - 1) < 1e-6;
    }
    const [ux, uy] = this.position(u);
    const [vx, vy] = this.position(v);
    return Math.max(Math.abs(ux - vx), Math.abs(uy - vy)) === 1;
  }

  /** Neighbourhood weights of every unit around unit c for radius sigma, into out[0..size). */
  neighbourhood(kind: Neighbourhood, c: number, sigma: number, out: Float64Array): void {
    const cx = this.coords[2 * c];
    const cy = this.coords[2 * c + 1];
    if (kind === 'bubble') {
      const [px, py] = this.position(c);
      for (let u = 0; u < this.size; u++) {
        const [x, y] = this.position(u);
        out[u] = x > px - sigma && x < px + sigma && y > py - sigma && y < py + sigma ? 1 : 0;
      }
      return;
    }
    const d = 2 * sigma * sigma;
    for (let u = 0; u < this.size; u++) {
      const dx = this.coords[2 * u] - cx;
      const dy = this.coords[2 * u + 1] - cy;
      if (kind === 'gaussian') out[u] = Math.exp(-(dx * dx) / d) * Math.exp(-(dy * dy) / d);
      else {
        const p = dx * dx + dy * dy;
        out[u] = Math.exp(-p / d) * (1 - (2 / d) * p);
      }
    }
  }
}
