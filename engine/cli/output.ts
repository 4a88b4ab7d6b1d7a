/**
 * What the CLI prints. Human mode: results on stdout, a progress bar on stderr when it is a terminal.
 * JSON mode (--json): one JSON object a line on stdout (progress events too), nothing else on stdout.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export class Output {
  readonly json: boolean;
  readonly #tty: boolean;
  #barShown = false;
  #lastDraw = 0;

  constructor(json: boolean, tty = Boolean(process.stderr.isTTY)) {
    this.json = json;
    this.#tty = tty && !json;
  }

  /** A result line (human mode) or object (JSON mode). */
  result(human: string, obj?: Record<string, unknown>): void {
    this.clearBar();
    if (this.json) {
      if (obj) process.stdout.write(JSON.stringify(obj) + '\n');
    } else process.stdout.write(human + '\n');
  }

  /**
   * A progress event: a bar on a terminal; in JSON mode a line only when `obj` is given (so frequent
   * events such as batches stay off stdout); nothing otherwise.
   */
  progress(label: string, done: number, total: number, extra = '', obj?: Record<string, unknown>): void {
    if (this.json) {
      if (obj) process.stdout.write(JSON.stringify({ event: 'progress', label: label.trim(), done, total, ...obj }) + '\n');
      return;
    }
    if (!this.#tty) return;
    const now = Date.now();
    if (done < total && now - this.#lastDraw < 80) return;
    this.#lastDraw = now;
    const width = 28;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const fill = Math.round(frac * width);
    const bar = '█'.repeat(fill) + '░'.repeat(width - fill);
    const line = `${label} ${bar} ${done}/${total}${extra ? '  ' + extra : ''}`;
    const cols = process.stderr.columns || 100;
    process.stderr.write('\r' + line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length)) + '\x1b[K');
    this.#barShown = true;
  }

  /** Informational line on stderr in human mode (a JSON event in JSON mode). */
  info(msg: string, obj?: Record<string, unknown>): void {
    this.clearBar();
    if (this.json) {
      if (obj) process.stdout.write(JSON.stringify(obj) + '\n');
    } else process.stderr.write(msg + '\n');
  }

  clearBar(): void {
    if (this.#barShown) {
      process.stderr.write('\r\x1b[K');
      this.#barShown = false;
    }
  }
}

/** Fixed-width table for terminals. */
export function table(rows: (string | number)[][], align: ('l' | 'r')[] = []): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, String(c).length)));
  return rows
    .map((r) =>
      r.map((c, i) => (align[i] === 'l' ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ').trimEnd(),
    )
    .join('\n');
}
