/** Errors from the engine or the shell as the renderer shows them (no side effects: stores and their tests import it). */
import { type ErrorCode, ERROR_CODES, LabError } from '../../../engine/protocol/contract.js';

/** A LabError from whatever a transport rejected with (Electron's bridge passes plain objects). */
export function asLabError(e: unknown): LabError {
  if (e instanceof LabError) return e;
  const o = (typeof e === 'object' && e !== null ? e : {}) as { message?: unknown; code?: unknown };
  const message = typeof o.message === 'string' ? o.message : String(e);
  const code = (ERROR_CODES as readonly unknown[]).includes(o.code) ? (o.code as ErrorCode) : undefined;
  return new LabError(code ? { message, code } : { message });
}
