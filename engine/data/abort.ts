/**
 * Cancellation and bounded parallelism for long data jobs. A cancelled job rejects with an Error named
 * 'AbortError' (whatever reason the signal carries), so callers can tell "stopped" from "failed".
 */
export class AbortError extends Error {
  constructor(message = 'the operation was cancelled') {
    super(message);
    this.name = 'AbortError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}

/**
 * Run `work(i)` for i = 0..count-1 with at most `concurrency` promises in flight. Stops starting new
 * work when the signal aborts or a work item throws, waits for the items already running, then rejects
 * (AbortError, or the first error). Items are started in index order.
 */
export async function runPool(
  count: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const lane = async (): Promise<void> => {
    while (failure === null && next < count) {
      if (signal?.aborted) {
        failure = new AbortError();
        return;
      }
      const i = next++;
      try {
        await work(i);
      } catch (e) {
        if (failure === null) failure = e;
      }
    }
  };
  const lanes: Promise<void>[] = [];
  const k = Math.max(1, Math.min(Math.floor(concurrency) || 1, count));
  for (let j = 0; j < k; j++) lanes.push(lane());
  await Promise.all(lanes);
  if (failure === null && signal?.aborted) failure = new AbortError();
  if (failure !== null) throw failure;
}
