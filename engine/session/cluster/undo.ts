/**
 * The undo stack of a clustering run's prototype edits. A move or set keeps the prototype's row as it
 * was (consecutive moves of one drag share a group and undo together); a freeze keeps the old flag; an
 * add or remove keeps the model's whole state, since indices shift. Training clears the stack: undo
 * covers the edits made since training last ran.
 */
export type UndoEntry =
  | { kind: 'row'; index: number; row: Float32Array; group?: number }
  | { kind: 'freeze'; index: number; was: boolean }
  | { kind: 'state'; state: unknown };

export class UndoStack {
  readonly limit: number;
  #items: UndoEntry[] = [];

  constructor(limit = 50) {
    this.limit = limit;
  }

  get depth(): number {
    return this.#items.length;
  }

  /** Push an entry, unless it continues the drag on top (same prototype, same group). */
  push(e: UndoEntry): void {
    const top = this.#items[this.#items.length - 1];
    if (e.kind === 'row' && e.group !== undefined && top?.kind === 'row' && top.group === e.group && top.index === e.index) return;
    this.#items.push(e);
    if (this.#items.length > this.limit) this.#items.shift();
  }

  pop(): UndoEntry | undefined {
    return this.#items.pop();
  }

  clear(): void {
    this.#items = [];
  }
}
