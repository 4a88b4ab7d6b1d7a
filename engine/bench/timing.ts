/** Timing shared by the bench and its comparisons: medians of wall-clock and CPU-time rates. */

export interface Rates {
  /** Images per second of wall-clock time (median over the runs). */
  wall: number;
  /** Images per second of this process's CPU time (median): steadier on a shared, loaded machine. */
  cpu: number;
}

export function median(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Warm up once, then `runs` runs that each repeat `run` (batch images a call) for at least `seconds`. */
export function measureRates(run: () => void, batch: number, runs: number, seconds = 1): Rates {
  run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    let images = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let t = t0;
    do {
      run();
      images += batch;
      t = performance.now();
    } while (t - t0 < seconds * 1000);
    const c = process.cpuUsage(c0);
    wall.push(images / ((t - t0) / 1000));
    cpu.push(images / Math.max((c.user + c.system) / 1e6, 1e-9));
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** measureRates for an asynchronous call (the folder loads): a warm-up, then `runs` runs of at least `seconds`. */
export async function measureRatesAsync(run: () => Promise<void>, batch: number, runs: number, seconds = 1): Promise<Rates> {
  await run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    let images = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let t = t0;
    do {
      await run();
      images += batch;
      t = performance.now();
    } while (t - t0 < seconds * 1000);
    const c = process.cpuUsage(c0);
    wall.push(images / ((t - t0) / 1000));
    cpu.push(images / Math.max((c.user + c.system) / 1e6, 1e-9));
  }
  return { wall: median(wall), cpu: median(cpu) };
}
