/**
 * Electron main: wiring only. One locked-down window showing the built renderer over the locus://
 * protocol; the engine in a utility process reached over a MessagePort; renderer requests checked by
 * the shared router (electron/core) before they go anywhere. The logic lives in plain modules under
 * electron/core that the unit tests run under Node.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  type MenuItemConstructorOptions,
  MessageChannelMain,
  nativeTheme,
  protocol,
  session,
  utilityProcess,
} from 'electron';
import { type EventName, METHOD_NAMES, type Payload } from '../engine/protocol/contract.js';
import { eventMessage } from '../engine/protocol/messages.js';
import { EVENT_CHANNEL, ipcChannel } from './core/channels.js';
import { menuTemplate, type MenuSpec } from './core/menu.js';
import { createRouter } from './core/router.js';
import { saveFolders } from './core/save-folder.js';
import { SettingsStore } from './core/settings.js';
import { EngineSupervisor, type EngineProcess } from './core/supervisor.js';
import { mimeType, resolveStatic, SECURITY_HEADERS } from './core/web.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/electron
const dist = join(here, '..');
const rendererDir = join(dist, 'renderer');
const APP_ORIGIN = 'locus://app';

app.setName('Locus');
protocol.registerSchemesAsPrivileged([{ scheme: 'locus', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let win: BrowserWindow | null = null;

function send<E extends EventName>(event: E, payload: Payload<E>): void {
  if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, eventMessage(event, payload));
}

/** The engine as a utility process, talked to over a MessagePort handed to it at start. */
function spawnEngine(): EngineProcess {
  const child = utilityProcess.fork(join(dist, 'engine', 'worker.js'), [], {
    serviceName: 'Locus engine',
    stdio: 'inherit',
    // The engine's image cache and its workspace of saved runs live under the user data folder.
    env: {
      ...process.env,
      LOCUS_CACHE_DIR: process.env.LOCUS_CACHE_DIR || join(app.getPath('userData'), 'cache'),
      LOCUS_WORKSPACE_DIR: process.env.LOCUS_WORKSPACE_DIR || join(app.getPath('userData'), 'runs'),
    },
  });
  const { port1, port2 } = new MessageChannelMain();
  child.postMessage({ type: 'port' }, [port2]);
  port1.start();
  let exitListener: ((detail: string) => void) | null = null;
  child.once('exit', (code) => {
    port1.close();
    exitListener?.(`exit code ${code}`);
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => port1.postMessage(m),
    onMessage: (l) => void port1.on('message', (e) => l(e.data)),
    onExit: (l) => void (exitListener = l),
    kill: () => void child.kill(),
  };
}

function toElectronMenu(items: MenuSpec[]): MenuItemConstructorOptions[] {
  return items.map((s): MenuItemConstructorOptions => {
    if (s.separator) return { type: 'separator' };
    const item: MenuItemConstructorOptions = {};
    if (s.label !== undefined) item.label = s.label;
    if (s.accelerator !== undefined) item.accelerator = s.accelerator;
    if (s.enabled !== undefined) item.enabled = s.enabled;
    if (s.role) item.role = s.role;
    if (s.submenu) item.submenu = toElectronMenu(s.submenu);
    const command = s.command;
    if (command) item.click = () => send('menu.command', command);
    return item;
  });
}

function lockDown(): void {
  // Nothing but the app's own pages: no remote content, no permissions, no navigation, no new windows.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const ok = details.url.startsWith(`${APP_ORIGIN}/`) || details.url.startsWith('devtools://') || details.url.startsWith('data:') || details.url.startsWith('blob:');
    callback({ cancel: !ok });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  protocol.handle('locus', async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'app' ? resolveStatic(rendererDir, url.pathname) : null;
    const body = file ? await readFile(file).catch(() => null) : null;
    if (!file || !body) return new Response('Not found', { status: 404, headers: SECURITY_HEADERS });
    return new Response(body, { headers: { ...SECURITY_HEADERS, 'Content-Type': mimeType(file) } });
  });
}

async function main(): Promise<void> {
  await app.whenReady();
  lockDown();
  const settings = await SettingsStore.open(join(app.getPath('userData'), 'settings.json'));
  const saves = saveFolders(settings, app.getPath('documents'), app.getPath('home'));
  const rebuildMenu = (): void =>
    Menu.setApplicationMenu(Menu.buildFromTemplate(toElectronMenu(menuTemplate(settings.get().recentFolders, process.platform, !app.isPackaged))));
  rebuildMenu();

  const engine = new EngineSupervisor({ spawn: spawnEngine });
  engine.onEvent((m) => {
    if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, m);
  });
  engine.onRestart((info) => send('engine.restarted', info));
  engine.onFailed((reason) => send('engine.failed', { reason }));
  engine.start();

  const route = createRouter({
    engine,
    shell: {
      'shell.info': () => ({ transport: 'electron', dialogs: true, platform: process.platform, version: app.getVersion() }),
      'shell.pickFolder': async (p) => {
        const opts = { title: p.title ?? 'Open an image folder', properties: ['openDirectory' as const] };
        const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
        return { path: r.canceled ? null : (r.filePaths[0] ?? null) };
      },
      'shell.pickFile': async (p) => {
        const opts = { title: p.title ?? 'Open a file', properties: ['openFile' as const], filters: p.filters ?? [] };
        const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
        return { path: r.canceled ? null : (r.filePaths[0] ?? null) };
      },
      'shell.pickSavePath': async (p) => {
        // The dialog starts in the last export's folder (else documents), with the name proposed.
        const defaultPath = p.defaultName ? await saves.suggest(p.defaultName) : await saves.folder();
        const opts = { title: p.title ?? 'Save', filters: p.filters ?? [], defaultPath };
        const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
        return { path: r.canceled ? null : (r.filePath ?? null) };
      },
      'shell.suggestSavePath': async (p) => ({ path: await saves.suggest(p.defaultName) }),
      'shell.settings': () => settings.get(),
      'shell.updateSettings': async (p) => {
        const s = await settings.update(p);
        if (p.theme) nativeTheme.themeSource = p.theme;
        return s;
      },
      'shell.forgetRecent': async (p) => {
        const s = await settings.forgetRecent(p.path);
        rebuildMenu();
        return s;
      },
    },
    afterEngine: (method, params, result) => {
      saves.learn(method, params)?.catch((e: Error) => console.error(`settings: ${e.message}`));
      if (method !== 'data.open') return;
      void settings.addRecent((result as { root: string }).root).then(rebuildMenu, (e: Error) => console.error(`settings: ${e.message}`));
    },
  });

  for (const method of METHOD_NAMES) {
    ipcMain.handle(ipcChannel(method), (event, params: unknown) => {
      // Only our own page may call: not a frame that somehow loaded something else.
      if (!event.senderFrame?.url.startsWith(`${APP_ORIGIN}/`)) {
        return { ok: false, error: { message: 'refused: not the app page', code: 'invalid' } };
      }
      return route(method, params);
    });
  }

  nativeTheme.themeSource = settings.get().theme;
  win = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Locus',
    // Windows and macOS take the icon from the packaged app; Linux windows need it given.
    ...(process.platform === 'linux' ? { icon: join(dist, '..', 'assets', 'icons', 'icon-512.png') } : {}),
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#14161a' : '#f6f7f9',
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => (win = null));
  await win.loadURL(`${APP_ORIGIN}/index.html`);

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => engine.stop());
}

main().catch((e: unknown) => {
  // The reason in words, not a stack trace (the terminal, if any, gets the same line).
  const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0] || 'unknown error';
  console.error(`Locus could not start: ${reason}`);
  dialog.showErrorBox('Locus could not start', reason);
  app.exit(1);
});
