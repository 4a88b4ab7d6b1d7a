/**
 * Checking messages received from another process against the contract, and building the ones sent.
 * Each parse* function takes an `unknown` straight off a port, socket or IPC channel and returns either
 * a typed message or a reason it was refused; nothing received is trusted before it passes here.
 */
import {
  ERROR_CODES,
  type ErrorCode,
  type ErrorInfo,
  EVENTS,
  type EventMessage,
  type EventName,
  isEventName,
  isMethodName,
  METHODS,
  type MethodName,
  type Payload,
  type Reply,
  type Request,
  type Result,
} from './contract.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const MAX_ID = 2 ** 53 - 1;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
function isId(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= MAX_ID;
}
function onlyKeys(x: Record<string, unknown>, allowed: readonly string[]): string | null {
  for (const k of Object.keys(x)) if (!allowed.includes(k)) return `unexpected field "${k}"`;
  return null;
}

/** A request: a known method and params that pass its guard. `id` is reported even when refused. */
export function parseRequest(x: unknown): Parsed<Request> & { id: number | null } {
  if (!isRecord(x)) return { ok: false, error: 'a request must be an object', id: null };
  const id = isId(x.id) ? x.id : null;
  if (id === null) return { ok: false, error: 'a request needs a non-negative integer id', id };
  const extra = onlyKeys(x, ['id', 'method', 'params']);
  if (extra) return { ok: false, error: extra, id };
  if (!isMethodName(x.method)) return { ok: false, error: `unknown method ${JSON.stringify(x.method)}`, id };
  const bad = checkParams(x.method, x.params);
  if (bad) return { ok: false, error: bad, id };
  return { ok: true, value: x as unknown as Request, id };
}

/** Null when `params` are valid for `method`, else the reason. */
export function checkParams(method: MethodName, params: unknown): string | null {
  const e = METHODS[method].params.check(params);
  return e ? `${method}: bad params: ${e}` : null;
}

function parseError(x: unknown): ErrorInfo | null {
  if (!isRecord(x) || typeof x.message !== 'string') return null;
  if (x.code !== undefined && !(ERROR_CODES as readonly unknown[]).includes(x.code)) return null;
  return x.code === undefined ? { message: x.message } : { message: x.message, code: x.code as ErrorCode };
}

/** The id of a reply-shaped message, or null: to find which request (and so which method) it answers. */
export function replyId(x: unknown): number | null {
  return isRecord(x) && isId(x.id) && typeof x.ok === 'boolean' ? x.id : null;
}

/** A reply to a request of `method`: a result that passes the method's result guard, or an error. */
export function parseReply<M extends MethodName>(x: unknown, method: M): Parsed<Reply<M>> {
  if (!isRecord(x) || !isId(x.id) || typeof x.ok !== 'boolean') return { ok: false, error: 'not a reply' };
  if (x.ok) {
    const extra = onlyKeys(x, ['id', 'ok', 'result']);
    if (extra) return { ok: false, error: extra };
    const e = METHODS[method].result.check(x.result);
    if (e) return { ok: false, error: `${method}: bad result: ${e}` };
    return { ok: true, value: { id: x.id, ok: true, result: x.result as Result<M> } };
  }
  const extra = onlyKeys(x, ['id', 'ok', 'error']);
  if (extra) return { ok: false, error: extra };
  const error = parseError(x.error);
  if (!error) return { ok: false, error: 'a failed reply needs error {message, code?}' };
  return { ok: true, value: { id: x.id, ok: false, error } };
}

/** An event with a known name whose payload passes its guard; `from` restricts who may send it. */
export function parseEvent(x: unknown, from?: 'engine' | 'shell'): Parsed<EventMessage> {
  if (!isRecord(x)) return { ok: false, error: 'an event must be an object' };
  const extra = onlyKeys(x, ['event', 'payload']);
  if (extra) return { ok: false, error: extra };
  if (!isEventName(x.event)) return { ok: false, error: `unknown event ${JSON.stringify(x.event)}` };
  const spec = EVENTS[x.event];
  if (from && spec.from !== from) return { ok: false, error: `${x.event} may not come from the ${from}` };
  const e = spec.payload.check(x.payload);
  if (e) return { ok: false, error: `${x.event}: bad payload: ${e}` };
  return { ok: true, value: x as unknown as EventMessage };
}

/** True for messages shaped like events (as opposed to replies), before full parsing. */
export function isEventShaped(x: unknown): boolean {
  return isRecord(x) && typeof x.event === 'string';
}

export const okReply = <M extends MethodName>(id: number, result: Result<M>): Reply<M> => ({ id, ok: true, result });
export const errorReply = (id: number, message: string, code?: ErrorCode): Reply => ({
  id,
  ok: false,
  error: code ? { message, code } : { message },
});
export const eventMessage = <E extends EventName>(event: E, payload: Payload<E>): EventMessage<E> => ({ event, payload });
