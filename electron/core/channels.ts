/** Electron IPC channel names, derived from the contract (never written out by hand elsewhere). */
import type { MethodName } from '../../engine/protocol/contract.js';

export const ipcChannel = (method: MethodName): string => `locus:call:${method}`;
export const EVENT_CHANNEL = 'locus:event';
