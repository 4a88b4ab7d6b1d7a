/**
 * A stand-in for the `electron` module, so electron/main.ts runs under plain Node in tests
 * (electron/main.test.ts maps the import here). It records what main.ts asks of Electron: the window's
 * options, the protocol handler, IPC handlers, session handlers, web-contents listeners, the menu,
 * dialogs; the test drives them and checks what comes back. Only what main.ts uses is here.
 */
import { EventEmitter } from 'node:events';

type Fn = (...args: never[]) => unknown;

export interface Recorded {
  windows: BrowserWindow[];
  protocolHandlers: Map<string, (req: { url: string }) => Promise<Response>>;
  privileged: unknown[];
  ipc: Map<string, Fn>;
  beforeRequest: ((details: { url: string }, cb: (r: { cancel: boolean }) => void) => void) | null;
  permissionRequest: ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void) | null;
  permissionCheck: (() => boolean) | null;
  menu: MenuTemplateItem[] | null;
  errorBoxes: [string, string][];
  exitCodes: number[];
  forks: { path: string; options: Record<string, unknown>; messages: unknown[]; ports: unknown[] }[];
  /** The options of each save dialog shown, and what the next one answers (cancelled when null). */
  saveDialogs: Record<string, unknown>[];
  saveAnswer: string | null;
  /** Set before importing main.ts to make app.whenReady() fail with this error. */
  failReady: Error | null;
  userData: string;
  documents: string;
  home: string;
}

export interface MenuTemplateItem {
  label?: string;
  accelerator?: string;
  role?: string;
  type?: string;
  click?: () => void;
  submenu?: MenuTemplateItem[];
}

const g = globalThis as { __electronStandin?: Recorded };
export const recorded: Recorded = (g.__electronStandin ??= {
  windows: [],
  protocolHandlers: new Map(),
  privileged: [],
  ipc: new Map(),
  beforeRequest: null,
  permissionRequest: null,
  permissionCheck: null,
  menu: null,
  errorBoxes: [],
  exitCodes: [],
  forks: [],
  failReady: null,
  userData: '',
  documents: '',
  home: '',
  saveDialogs: [],
  saveAnswer: null,
});

class App extends EventEmitter {
  isPackaged = false;
  setName(): void {}
  getVersion(): string {
    return '0.0.0-test';
  }
  getPath(name: string): string {
    const paths: Record<string, string> = { userData: recorded.userData, documents: recorded.documents, home: recorded.home };
    if (!paths[name]) throw new Error(`stand-in: no path ${name}`);
    return paths[name];
  }
  whenReady(): Promise<void> {
    return recorded.failReady ? Promise.reject(recorded.failReady) : Promise.resolve();
  }
  quit(): void {}
  exit(code: number): void {
    recorded.exitCodes.push(code);
  }
}
export const app = new App();

export class WebContents extends EventEmitter {
  sent: [string, unknown][] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  send(channel: string, message: unknown): void {
    this.sent.push([channel, message]);
  }
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
}

export class BrowserWindow extends EventEmitter {
  readonly options: Record<string, unknown>;
  readonly webContents = new WebContents();
  loaded: string[] = [];
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    recorded.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  isDestroyed(): boolean {
    return false;
  }
  show(): void {}
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
}

export const dialog = {
  showErrorBox: (title: string, content: string): void => void recorded.errorBoxes.push([title, content]),
  showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
  showSaveDialog: async (...args: Record<string, unknown>[]) => {
    recorded.saveDialogs.push(args.at(-1) ?? {});
    return recorded.saveAnswer === null ? { canceled: true } : { canceled: false, filePath: recorded.saveAnswer };
  },
};

export const ipcMain = {
  handle: (channel: string, fn: Fn): void => {
    if (recorded.ipc.has(channel)) throw new Error(`stand-in: second handler for ${channel}`);
    recorded.ipc.set(channel, fn);
  },
};

export const Menu = {
  buildFromTemplate: (t: MenuTemplateItem[]) => t,
  setApplicationMenu: (m: MenuTemplateItem[]): void => void (recorded.menu = m),
};

class Port extends EventEmitter {
  other: Port | null = null;
  start(): void {}
  close(): void {}
  postMessage(data: unknown): void {
    this.other?.emit('message', { data });
  }
}
export class MessageChannelMain {
  port1 = new Port();
  port2 = new Port();
  constructor() {
    this.port1.other = this.port2;
    this.port2.other = this.port1;
  }
}

export const nativeTheme = { themeSource: 'system', shouldUseDarkColors: false };

export const protocol = {
  registerSchemesAsPrivileged: (s: unknown[]): void => void recorded.privileged.push(...s),
  handle: (scheme: string, fn: (req: { url: string }) => Promise<Response>): void => void recorded.protocolHandlers.set(scheme, fn),
};

export const session = {
  defaultSession: {
    webRequest: {
      onBeforeRequest: (fn: Recorded['beforeRequest']): void => void (recorded.beforeRequest = fn),
    },
    setPermissionRequestHandler: (fn: Recorded['permissionRequest']): void => void (recorded.permissionRequest = fn),
    setPermissionCheckHandler: (fn: Recorded['permissionCheck']): void => void (recorded.permissionCheck = fn),
  },
};

class UtilityChild extends EventEmitter {
  pid = 4242;
  readonly record: Recorded['forks'][number];
  constructor(record: Recorded['forks'][number]) {
    super();
    this.record = record;
  }
  postMessage(m: unknown, transfer: unknown[] = []): void {
    this.record.messages.push(m);
    this.record.ports.push(...transfer);
  }
  kill(): void {}
}
export const utilityProcess = {
  fork: (path: string, _args: string[], options: Record<string, unknown>): UtilityChild => {
    const record = { path, options, messages: [], ports: [] };
    recorded.forks.push(record);
    return new UtilityChild(record);
  },
};

export default { app, BrowserWindow, dialog, ipcMain, Menu, MessageChannelMain, nativeTheme, protocol, session, utilityProcess };
