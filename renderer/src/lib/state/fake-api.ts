/**
 * A stand-in engine for the stores' unit tests (run under Node): a LabApi whose methods answer from a
 * table (a method without an answer fails, so a test sees what the store asked), whose events the test
 * sends with emit, and which records every call.
 */
import type { EventName, LabApi, MethodName, Params, Payload, Result } from '../../../../engine/protocol/contract.js';

export type Handler = (params: unknown) => unknown;

export function fakeApi(answers: Partial<Record<MethodName, Handler>>) {
  const listeners = new Map<string, ((p: unknown) => void)[]>();
  const calls: { method: string; params: unknown }[] = [];
  const api: LabApi = {
    transport: 'browser',
    async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      calls.push({ method, params });
      const h = answers[method];
      if (!h) throw new Error(`${method}: not answered here`);
      return (await h(params)) as Result<M>;
    },
    on<E extends EventName>(event: E, listener: (payload: Payload<E>) => void) {
      const list = listeners.get(event) ?? [];
      list.push(listener as (p: unknown) => void);
      listeners.set(event, list);
      return () => {};
    },
    pathForFile: () => null,
  };
  const emit = <E extends EventName>(event: E, payload: Payload<E>) => {
    for (const l of listeners.get(event) ?? []) l(payload);
  };
  return { api, emit, calls };
}

/** Let pending promise callbacks run. */
export const settle = (): Promise<unknown> => new Promise((r) => setTimeout(r, 0));
