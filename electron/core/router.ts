/**
 * One entry for every request from a renderer, whichever way it came (Electron IPC or the host's
 * WebSocket): the method must be in the contract and its params must pass the method's guard, then it
 * goes to the shell's own handler or to the engine. Whatever happens, the caller gets an outcome, never
 * a throw, so a bad message cannot break the channel.
 */
import {
  type EngineMethod,
  type ErrorInfo,
  isMethodName,
  LabError,
  METHODS,
  type MethodName,
  type Params,
  type Result,
  type ShellMethod,
} from '../../engine/protocol/contract.js';
import { checkParams } from '../../engine/protocol/messages.js';
import { afterFailedExport, beforeExport, EXPORT_METHODS } from './exports.js';

export type Outcome = { ok: true; result: unknown } | { ok: false; error: ErrorInfo };

export type ShellHandlers = { [M in ShellMethod]: (params: Params<M>) => Promise<Result<M>> | Result<M> };

export interface RouterDeps {
  engine: { request<M extends EngineMethod>(method: M, params: Params<M>): Promise<Result<M>> };
  shell: ShellHandlers;
  /** Called after an engine method succeeded (the shell records recent folders this way). */
  afterEngine?: <M extends EngineMethod>(method: M, params: Params<M>, result: Result<M>) => void;
}

export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof LabError) return e.code ? { message: e.message, code: e.code } : { message: e.message };
  return { message: e instanceof Error ? e.message : String(e), code: 'failed' };
}

export function createRouter(deps: RouterDeps): (method: unknown, params: unknown) => Promise<Outcome> {
  return async (method, params) => {
    if (!isMethodName(method)) return { ok: false, error: { message: `unknown method ${describeMethod(method)}`, code: 'unknown-method' } };
    try {
      const bad = checkParams(method, params);
      if (bad) return { ok: false, error: { message: bad.length > 300 ? `${bad.slice(0, 300)}…` : bad, code: 'invalid' } };
      return { ok: true, result: await dispatch(deps, method, params) };
    } catch (e) {
      return { ok: false, error: toErrorInfo(e) };
    }
  };
}

/** The method a caller named, for an error: a string cut to 60 characters, otherwise only its type. */
function describeMethod(method: unknown): string {
  if (typeof method === 'string') return JSON.stringify(method.length > 60 ? `${method.slice(0, 60)}…` : method);
  if (method === undefined) return '(none given)';
  return `(${method === null ? 'null' : Array.isArray(method) ? 'an array' : `a ${typeof method}`}, not a name)`;
}

async function dispatch(deps: RouterDeps, method: MethodName, params: unknown): Promise<unknown> {
  if (METHODS[method].to === 'shell') {
    const h = deps.shell[method as ShellMethod] as (p: unknown) => unknown;
    return h(params);
  }
  const m = method as EngineMethod;
  let result: Result<EngineMethod>;
  if (EXPORT_METHODS.has(m)) {
    const before = await beforeExport(params as { path: string; overwrite?: boolean });
    try {
      result = await deps.engine.request(m, params as Params<EngineMethod>);
    } catch (e) {
      result = (await afterFailedExport(before, e)) as Result<EngineMethod>;
    }
  } else result = await deps.engine.request(m, params as Params<EngineMethod>);
  deps.afterEngine?.(m, params as Params<EngineMethod>, result);
  return result;
}
