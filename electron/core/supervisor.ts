/**
 * Keeps one engine process alive for a shell (Electron main or the browser host) and talks to it.
 * It numbers requests, checks every reply and event the engine sends against the contract, and when the
 * engine exits without being asked to it fails the requests in flight and starts a new engine, by a
 * policy that backs off and gives up when the engine keeps crashing. How a process is started (utility
 * process, child_process.fork, a fake in tests) is the caller's `spawn`.
 */
import {
  type EngineMethod,
  type EventMessage,
  LabError,
  type MethodName,
  type Params,
  type Result,
} from '../../engine/protocol/contract.js';
import { isEventShaped, parseEvent, parseReply, replyId } from '../../engine/protocol/messages.js';

export interface EngineProcess {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process is gone; `detail` says how (exit code, signal, crash reason). */
  onExit(listener: (detail: string) => void): void;
  kill(): void;
  readonly pid: number | undefined;
}

export interface RestartPolicy {
  /** Restarts allowed within `windowMs` before giving up. */
  maxRestarts: number;
  windowMs: number;
  /** Delay before the k-th restart in the window (k = 1, 2, ...). */
  backoffMs: (k: number) => number;
}

export const DEFAULT_POLICY: RestartPolicy = {
  maxRestarts: 5,
  windowMs: 60_000,
  backoffMs: (k) => (k <= 1 ? 0 : Math.min(5000, 250 * 2 ** (k - 2))),
};

export type RestartDecision = { restart: true; delayMs: number; restartsInWindow: number } | { restart: false; restartsInWindow: number };

/** Whether to restart after a crash at `now`, given the times of the earlier restarts. Pure. */
export function decideRestart(previous: readonly number[], now: number, policy: RestartPolicy): RestartDecision {
  const recent = previous.filter((t) => now - t < policy.windowMs).length;
  if (recent >= policy.maxRestarts) return { restart: false, restartsInWindow: recent };
  return { restart: true, delayMs: policy.backoffMs(recent + 1), restartsInWindow: recent + 1 };
}

export interface SupervisorOptions {
  spawn: () => EngineProcess;
  policy?: RestartPolicy;
  now?: () => number;
  schedule?: (fn: () => void, ms: number) => void;
  log?: (line: string) => void;
}

interface Pending {
  method: MethodName;
  resolve: (r: unknown) => void;
  reject: (e: Error) => void;
}

export class EngineSupervisor {
  #opts: Required<SupervisorOptions>;
  #proc: EngineProcess | null = null;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #restartTimes: number[] = [];
  #restarts = 0;
  #stopped = false;
  #failed: string | null = null;
  /** Why the last engine stopped, until the one replacing it has started (and listeners were told). */
  #unannounced: string | null = null;
  #eventListeners: ((m: EventMessage) => void)[] = [];
  #restartListeners: ((info: { reason: string; restarts: number }) => void)[] = [];
  #failListeners: ((reason: string) => void)[] = [];

  constructor(opts: SupervisorOptions) {
    this.#opts = {
      policy: DEFAULT_POLICY,
      now: () => Date.now(),
      schedule: (fn, ms) => void setTimeout(fn, ms),
      log: (line) => console.error(line),
      ...opts,
    };
  }

  get pid(): number | undefined {
    return this.#proc?.pid;
  }
  get restarts(): number {
    return this.#restarts;
  }

  /**
   * Start the engine if none is running. After a crash the replacement is started by the scheduled
   * restart or by a request that comes before it, whichever is first; restart listeners are told then,
   * once, so nobody hears of a restart after they began using the new engine.
   */
  start(): void {
    if (this.#proc || this.#stopped) return;
    const proc = this.#opts.spawn();
    this.#proc = proc;
    proc.onMessage((m) => this.#receive(proc, m));
    proc.onExit((detail) => this.#exited(proc, detail));
    const reason = this.#unannounced;
    if (reason === null) return;
    this.#unannounced = null;
    this.#restarts++;
    for (const l of this.#restartListeners) l({ reason, restarts: this.#restarts });
  }

  /** Send a request to the engine; resolves with the checked result or rejects with a LabError. */
  request<M extends EngineMethod>(method: M, params: Params<M>): Promise<Result<M>> {
    if (this.#failed) return Promise.reject(new LabError({ message: `the engine is not running: ${this.#failed}`, code: 'unavailable' }));
    if (this.#stopped) return Promise.reject(new LabError({ message: 'the engine was stopped', code: 'unavailable' }));
    this.start();
    const id = this.#nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      this.#pending.set(id, { method, resolve: resolve as (r: unknown) => void, reject });
      try {
        this.#proc?.send({ id, method, params });
      } catch (e) {
        this.#pending.delete(id);
        reject(new LabError({ message: `could not reach the engine: ${(e as Error).message}`, code: 'failed' }));
      }
    });
  }

  onEvent(listener: (m: EventMessage) => void): void {
    this.#eventListeners.push(listener);
  }
  onRestart(listener: (info: { reason: string; restarts: number }) => void): void {
    this.#restartListeners.push(listener);
  }
  onFailed(listener: (reason: string) => void): void {
    this.#failListeners.push(listener);
  }

  /** Stop the engine on purpose (app quitting): no restart. */
  stop(): void {
    this.#stopped = true;
    const proc = this.#proc;
    this.#proc = null;
    this.#rejectAll('the engine was stopped', 'unavailable');
    proc?.kill();
  }

  #receive(from: EngineProcess, m: unknown): void {
    if (from !== this.#proc) return; // a late message from a process already replaced
    if (isEventShaped(m)) {
      const ev = parseEvent(m, 'engine');
      if (!ev.ok) return this.#opts.log(`engine: refused an event: ${ev.error}`);
      for (const l of this.#eventListeners) l(ev.value);
      return;
    }
    const id = replyId(m);
    const pending = id === null ? undefined : this.#pending.get(id);
    if (id === null || !pending) return this.#opts.log('engine: refused a message that answers no request');
    this.#pending.delete(id);
    const reply = parseReply(m, pending.method);
    if (!reply.ok) {
      pending.reject(new LabError({ message: `the engine sent a malformed reply (${reply.error})`, code: 'failed' }));
    } else if (reply.value.ok) {
      pending.resolve(reply.value.result);
    } else {
      pending.reject(new LabError(reply.value.error));
    }
  }

  #rejectAll(message: string, code: 'engine-restarted' | 'unavailable'): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) p.reject(new LabError({ message, code }));
  }

  #exited(proc: EngineProcess, detail: string): void {
    if (proc !== this.#proc) return;
    this.#proc = null;
    if (this.#stopped) return;
    const reason = `the engine stopped unexpectedly (${detail})`;
    this.#opts.log(`engine: ${reason}`);
    const now = this.#opts.now();
    const d = decideRestart(this.#restartTimes, now, this.#opts.policy);
    this.#rejectAll(reason, d.restart ? 'engine-restarted' : 'unavailable');
    if (!d.restart) {
      this.#failed = `${reason}; it crashed ${d.restartsInWindow + 1} times in a row`;
      for (const l of this.#failListeners) l(this.#failed);
      return;
    }
    this.#restartTimes = [...this.#restartTimes.filter((t) => now - t < this.#opts.policy.windowMs), now];
    this.#unannounced = reason;
    this.#opts.schedule(() => this.start(), d.delayMs);
  }
}
