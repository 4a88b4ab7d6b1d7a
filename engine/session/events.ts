/** Where a run's events go: the engine process's port (through the worker's context) or a test's list. */
import type { EngineEvent, Payload } from '../protocol/contract.js';

export interface EventSink {
  emit<E extends EngineEvent>(event: E, payload: Payload<E>): void;
}
