/**
 * The one contract between the renderer, the shell (Electron main or the browser host) and the engine
 * process. Every request method and every event is listed here once, with a guard for its params, its
 * result or its payload; the TypeScript types are inferred from those guards, and every process checks
 * what it receives from another process with them (see messages.ts).
 *
 * Adding a method: one entry in METHODS (`to: 'engine'` if the engine worker answers it, `to: 'shell'`
 * if main / the browser host does), then a handler (engine/worker/handlers/*). Adding an event: one entry
 * in EVENTS. Shapes shared by several entries live in the section above the tables.
 *
 * This file must stay importable by the renderer (no Node, no DOM) and by Node code.
 */
import { arr, bool, count, type Guard, type Infer, literal, nullable, num, obj, optional, str, i32, u8 } from './guard.js';

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------------
// Shared shapes

const path = str({ min: 1, max: 4096 });
const empty = obj({});

/** How a folder of images is read (forwarded to engine/data/folder.ts) and split. */
export const LoadOptions = obj({
  width: optional(num({ int: true, min: 4, max: 512 })),
  height: optional(num({ int: true, min: 4, max: 512 })),
  channels: optional(literal(1, 3)),
  fit: optional(literal('contain', 'cover', 'fill')),
  /** Fraction of each class held out for validation. */
  valFraction: optional(num({ min: 0, max: 0.9 })),
  /** Seed of the split (the same seed and folder give the same split). */
  seed: optional(num({ int: true, min: 0, max: 0xffffffff })),
});
export type LoadOptions = Infer<typeof LoadOptions>;

export const Skipped = obj({ path: str({ max: 8192 }), reason: str({ max: 8192 }) });
export type Skipped = Infer<typeof Skipped>;

/** At most this many skipped files are listed in a summary; `skippedTotal` has the full count. */
export const MAX_SKIPPED_LISTED = 500;

export const DataSummary = obj({
  root: path,
  /** The folder's own name, for titles. */
  name: str(),
  n: count(),
  width: count(),
  height: count(),
  channels: literal(1, 3),
  classes: arr(str({ max: 1024 }), { max: 10_000 }),
  /** Images per class, in the order of `classes`. */
  counts: arr(count(), { max: 10_000 }),
  /** Images found directly in the root folder (no class folder): loaded with label -1. */
  unlabeled: count(),
  skipped: arr(Skipped, { max: MAX_SKIPPED_LISTED }),
  skippedTotal: count(),
  split: obj({
    valFraction: num({ min: 0, max: 1 }),
    seed: count(0xffffffff),
    train: count(),
    val: count(),
    trainCounts: arr(count(), { max: 10_000 }),
    valCounts: arr(count(), { max: 10_000 }),
  }),
  cacheHits: count(),
  elapsedMs: num({ min: 0 }),
});
export type DataSummary = Infer<typeof DataSummary>;

export const Progress = obj({
  phase: literal('scan', 'decode'),
  done: count(),
  total: count(),
  cached: optional(count()),
});
export type Progress = Infer<typeof Progress>;

/** Largest page of thumbnails one request may ask for. */
export const MAX_THUMBNAILS = 1024;

export const Thumbnails = obj({
  /** Images in the (possibly filtered) list the page comes from. */
  total: count(),
  offset: count(),
  width: count(),
  height: count(),
  channels: literal(1, 3),
  /** count * channels * height * width bytes, each image planar (CHW). */
  pixels: u8(),
  labels: i32(MAX_THUMBNAILS),
  /** Index of each image in the whole set. */
  indices: i32(MAX_THUMBNAILS),
  /** Each file's path relative to the folder. */
  names: arr(str({ max: 8192 }), { max: MAX_THUMBNAILS }),
});
export type Thumbnails = Infer<typeof Thumbnails>;

export const DirEntry = obj({ name: str({ max: 1024 }), dir: bool });
export const Listing = obj({
  path,
  parent: nullable(path),
  home: path,
  /** Sub-folders first, then image files; hidden entries left out. */
  entries: arr(DirEntry, { max: 100_000 }),
  /** Image files directly in this folder. */
  images: count(),
  truncated: bool,
});
export type Listing = Infer<typeof Listing>;

export const THEMES = ['system', 'light', 'dark'] as const;
export const Settings = obj({
  theme: literal(...THEMES),
  recentFolders: arr(path, { max: 20 }),
});
export type Settings = Infer<typeof Settings>;

/** A file-type filter of the open/save dialogs: {name: 'Locus model', extensions: ['json']}. */
export const FileFilter = obj({ name: str({ max: 100 }), extensions: arr(str({ min: 1, max: 16 }), { max: 20 }) });

export const VIEWS = ['data', 'train', 'gan', 'clustering', 'sequence', 'models'] as const;
export type ViewName = (typeof VIEWS)[number];

export const MENU_COMMANDS = ['open-folder', 'open-recent', 'open-sample', 'open-model', 'export-model', 'show-view', 'toggle-theme'] as const;

// ---------------------------------------------------------------------------------------------------
// Methods: who answers them, what they take, what they return.

interface MethodSpec<P, R, To extends 'engine' | 'shell' = 'engine' | 'shell'> {
  readonly to: To;
  readonly params: Guard<P>;
  readonly result: Guard<R>;
}
const engine = <P, R>(params: Guard<P>, result: Guard<R>): MethodSpec<P, R, 'engine'> => ({ to: 'engine', params, result });
const shell = <P, R>(params: Guard<P>, result: Guard<R>): MethodSpec<P, R, 'shell'> => ({ to: 'shell', params, result });

export const METHODS = {
  'engine.ping': engine(empty, obj({ version: str(), protocol: count(), pid: count(), uptimeMs: num({ min: 0 }) })),

  /** Load a folder of class sub-folders; streams `data.progress`, then emits `data.loaded` too. */
  'data.open': engine(obj({ path, options: optional(LoadOptions) }), DataSummary),
  /** Cancel the load in progress, if any (its `data.open` fails with code 'cancelled'). */
  'data.cancel': engine(empty, obj({ cancelled: bool })),
  /** The summary of the folder loaded now, if any (for a renderer that reloads or joins late). */
  'data.current': engine(empty, obj({ summary: nullable(DataSummary) })),
  /** A page of images of the loaded set, optionally only one class or one side of the split. */
  'data.thumbnails': engine(
    obj({
      offset: count(),
      count: num({ int: true, min: 1, max: MAX_THUMBNAILS }),
      classIndex: optional(num({ int: true, min: -1 })),
      subset: optional(literal('all', 'train', 'val')),
    }),
    Thumbnails,
  ),
  /** Where the bundled sample folder is. */
  'data.sample': engine(empty, obj({ path })),

  /** One folder's entries, for the in-app folder browser (path omitted: the home folder). */
  'fs.list': engine(obj({ path: optional(path) }), Listing),

  /** Test hook: the engine exits at once. Refused unless the engine runs with LOCUS_TEST=1. */
  'debug.crash': engine(empty, empty),

  /** What the shell around the renderer can do. */
  'shell.info': shell(
    empty,
    obj({ transport: literal('electron', 'browser'), dialogs: bool, platform: str(), version: str() }),
  ),
  /** A native folder dialog (Electron); null when cancelled or when there are no dialogs. */
  'shell.pickFolder': shell(obj({ title: optional(str({ max: 200 })) }), obj({ path: nullable(path) })),
  /** A native open-file dialog (Electron); null when cancelled or when there are no dialogs. */
  'shell.pickFile': shell(obj({ title: optional(str({ max: 200 })), filters: optional(arr(FileFilter, { max: 20 })) }), obj({ path: nullable(path) })),
  /** A native save dialog (Electron); null when cancelled or when there are no dialogs. */
  'shell.pickSavePath': shell(
    obj({ title: optional(str({ max: 200 })), defaultName: optional(str({ max: 255 })), filters: optional(arr(FileFilter, { max: 20 })) }),
    obj({ path: nullable(path) }),
  ),
  'shell.settings': shell(empty, Settings),
  'shell.updateSettings': shell(obj({ theme: optional(literal(...THEMES)) }), Settings),
  'shell.forgetRecent': shell(obj({ path }), Settings),
} as const satisfies Record<string, MethodSpec<unknown, unknown>>;

export type Methods = typeof METHODS;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = Infer<Methods[M]['params']>;
export type Result<M extends MethodName> = Infer<Methods[M]['result']>;
export type EngineMethod = { [M in MethodName]: Methods[M]['to'] extends 'engine' ? M : never }[MethodName];
export type ShellMethod = Exclude<MethodName, EngineMethod>;

// ---------------------------------------------------------------------------------------------------
// Events: who may send them and what they carry.

interface EventSpec<P, From extends 'engine' | 'shell' = 'engine' | 'shell'> {
  readonly from: From;
  readonly payload: Guard<P>;
}
const fromEngine = <P>(payload: Guard<P>): EventSpec<P, 'engine'> => ({ from: 'engine', payload });
const fromShell = <P>(payload: Guard<P>): EventSpec<P, 'shell'> => ({ from: 'shell', payload });

export const EVENTS = {
  'data.progress': fromEngine(Progress),
  'data.loaded': fromEngine(DataSummary),
  /** The engine process stopped unexpectedly and was started again; loaded data is gone. */
  'engine.restarted': fromShell(obj({ reason: str(), restarts: count() })),
  /** The engine kept crashing and is no longer restarted. */
  'engine.failed': fromShell(obj({ reason: str() })),
  /** A native menu item (Electron) for the renderer to act on. */
  'menu.command': fromShell(
    obj({ command: literal(...MENU_COMMANDS), path: optional(path), view: optional(literal(...VIEWS)) }),
  ),
} as const satisfies Record<string, EventSpec<unknown>>;

export type Events = typeof EVENTS;
export type EventName = keyof Events;
export type Payload<E extends EventName> = Infer<Events[E]['payload']>;
export type EngineEvent = { [E in EventName]: Events[E]['from'] extends 'engine' ? E : never }[EventName];

// ---------------------------------------------------------------------------------------------------
// Envelopes

export const ERROR_CODES = ['invalid', 'cancelled', 'failed', 'engine-restarted', 'unavailable', 'unknown-method'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export interface ErrorInfo {
  message: string;
  code?: ErrorCode;
}

export interface Request<M extends MethodName = MethodName> {
  id: number;
  method: M;
  params: Params<M>;
}
export type Reply<M extends MethodName = MethodName> =
  | { id: number; ok: true; result: Result<M> }
  | { id: number; ok: false; error: ErrorInfo };
export interface EventMessage<E extends EventName = EventName> {
  event: E;
  payload: Payload<E>;
}

/** What the renderer sees, over the Electron preload or the browser host's WebSocket alike. */
export interface LabApi {
  readonly transport: 'electron' | 'browser';
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  /** Subscribe to an event; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: Payload<E>) => void): () => void;
  /** The file-system path of a dropped File (Electron only; null in a browser). */
  pathForFile(file: unknown): string | null;
}

/** The Error a LabApi call rejects with: the message from the other side plus its code. */
export class LabError extends Error {
  readonly code: ErrorCode | undefined;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'LabError';
    this.code = info.code;
  }
}

export function isMethodName(x: unknown): x is MethodName {
  return typeof x === 'string' && Object.hasOwn(METHODS, x);
}
export function isEventName(x: unknown): x is EventName {
  return typeof x === 'string' && Object.hasOwn(EVENTS, x);
}
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];
