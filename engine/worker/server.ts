/**
 * The engine's side of the contract: reads requests off a Port, checks them, runs the handler for the
 * method and answers with a reply; handlers stream events through their context. One request failing
 * never takes the others down: its error becomes a reply.
 */
import {
  type EngineMethod,
  type EngineEvent,
  LabError,
  type Params,
  type Payload,
  type Result,
} from '../protocol/contract.js';
import { errorReply, eventMessage, okReply, parseRequest } from '../protocol/messages.js';
import type { Port } from './port.js';

export interface Context {
  /** Send an event to the shell (and from there to every renderer). */
  emit<E extends EngineEvent>(event: E, payload: Payload<E>): void;
}
export type Handler<M extends EngineMethod> = (params: Params<M>, ctx: Context) => Promise<Result<M>> | Result<M>;
/** One handler for every engine method of the contract: the type makes a forgotten one a compile error. */
export type Handlers = { [M in EngineMethod]: Handler<M> };

/** True for the error an aborted operation throws (AbortSignal's DOMException or ours). */
export function isAbort(e: unknown): boolean {
  return (
    (e instanceof LabError && e.code === 'cancelled') ||
    (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError')
  );
}

/** Serve the handlers on a port; returns the context whose emit sends events on it. */
export function serve(port: Port, handlers: Handlers): Context {
  const ctx: Context = { emit: (event, payload) => port.send(eventMessage(event, payload)) };
  port.onMessage((raw) => {
    const req = parseRequest(raw);
    if (!req.ok) {
      if (req.id !== null) port.send(errorReply(req.id, req.error, 'invalid'));
      else console.error(`engine: dropped a message: ${req.error}`);
      return;
    }
    const { id, method, params } = req.value;
    if (!Object.hasOwn(handlers, method)) {
      port.send(errorReply(id, `${method} is not answered by the engine`, 'unknown-method'));
      return;
    }
    const handler = handlers[method as EngineMethod] as Handler<EngineMethod>;
    Promise.resolve()
      .then(() => handler(params as never, ctx))
      .then(
        (result) => port.send(okReply(id, result)),
        (e: unknown) => {
          if (isAbort(e)) port.send(errorReply(id, 'cancelled', 'cancelled'));
          else if (e instanceof LabError) port.send(errorReply(id, e.message, e.code));
          else port.send(errorReply(id, e instanceof Error ? e.message : String(e), 'failed'));
        },
      );
  });
  return ctx;
}
