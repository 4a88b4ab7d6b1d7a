/**
 * electron/main.ts under plain Node, with a stand-in for the `electron` module (testkit/electron-standin):
 * the window's options, the locus:// protocol (traversal refused, CSP on every response), IPC refused
 * from a foreign frame, navigation/new-window/webview/permission handlers, the menu's commands, and a
 * start-up failure shown as its reason. The Electron launch spec (e2e/electron.spec.ts) still runs the
 * real thing where the binary exists.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EVENT_CHANNEL, ipcChannel } from './core/channels.js';
import { menuTemplate, type MenuSpec } from './core/menu.js';
import { SECURITY_HEADERS } from './core/web.js';
import { recorded, type MenuTemplateItem, type WebContents } from './testkit/electron-standin.js';

const STANDIN = new URL('./testkit/electron-standin.ts', import.meta.url).href;
register(
  'data:text/javascript,' +
    encodeURIComponent(`export async function resolve(s, c, next) { return s === 'electron' ? { url: ${JSON.stringify(STANDIN)}, shortCircuit: true } : next(s, c); }`),
);

/** Let main() run to its end (it awaits only stand-in promises and the settings file). */
async function settle(done: () => boolean): Promise<void> {
  for (let i = 0; i < 10000 && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), 'main() did not get there');
}

let userData = '';
before(async () => {
  userData = await mkdtemp(join(tmpdir(), 'locus-main-'));
  recorded.userData = userData;
  recorded.home = userData;
  recorded.documents = join(userData, 'Documents');
  await mkdir(recorded.documents);
  await import('./main.js');
  await settle(() => (recorded.windows[0]?.loaded.length ?? 0) > 0);
});
after(() => rm(userData, { recursive: true, force: true }));

const win = () => recorded.windows[0];

test('one window, locked down, showing the app over locus://', () => {
  assert.equal(recorded.windows.length, 1);
  const w = win();
  assert.deepEqual(w.loaded, ['locus://app/index.html']);
  const wp = w.options.webPreferences as Record<string, unknown>;
  assert.equal(wp.contextIsolation, true);
  assert.equal(wp.sandbox, true);
  assert.equal(wp.nodeIntegration, false);
  assert.equal(wp.webSecurity, true);
  assert.equal(wp.allowRunningInsecureContent, false);
  assert.equal(wp.webviewTag, false);
  assert.match(String(wp.preload), /preload\.cjs$/);
  assert.deepEqual(recorded.privileged, [{ scheme: 'locus', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  // The engine runs as a utility process and is handed its port.
  assert.equal(recorded.forks.length, 1);
  assert.match(recorded.forks[0].path, /engine[\\/]worker\.js$/);
  assert.deepEqual(recorded.forks[0].messages, [{ type: 'port' }]);
});

test('the locus:// protocol serves the renderer only, with the CSP header on every response', async () => {
  const handle = recorded.protocolHandlers.get('locus')!;
  assert.ok(handle);
  const ok = await handle({ url: 'locus://app/index.html' });
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-type') ?? '', /text\/html/);
  // In the tests the renderer folder is the source renderer/, so '..%2fpackage.json' names a file that exists.
  const urls = ['locus://app/index.html', 'locus://app/../main.ts', 'locus://app/%2e%2e/%2e%2e/package.json', 'locus://app/..%2f..%2fpackage.json', 'locus://app/..%2fpackage.json', 'locus://app/%2e%2e%2fpackage.json', 'locus://app/%00', 'locus://other/index.html', 'locus://app/nope.js'];
  for (const url of urls) {
    const r = await handle({ url });
    assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/, url);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(r.headers.get(name), value, `${url}: ${name}`);
    if (url !== 'locus://app/index.html') assert.equal(r.status, 404, url);
  }
});

test('IPC answers the app\'s own frame only', async () => {
  const call = recorded.ipc.get(ipcChannel('shell.info'))! as (e: unknown, p: unknown) => Promise<unknown>;
  assert.ok(call);
  assert.equal(recorded.ipc.size > 10, true, 'a handler per contract method');
  const refused = { ok: false, error: { message: 'refused: not the app page', code: 'invalid' } };
  assert.deepEqual(await call({ senderFrame: { url: 'https://evil.example/index.html' } }, {}), refused);
  assert.deepEqual(await call({ senderFrame: { url: 'locus://appx.evil/index.html' } }, {}), refused);
  assert.deepEqual(await call({ senderFrame: null }, {}), refused);
  assert.deepEqual(await call({ senderFrame: { url: 'locus://app/index.html' } }, {}), {
    ok: true,
    result: { transport: 'electron', dialogs: true, platform: process.platform, version: '0.0.0-test' },
  });
  // Every channel refuses a foreign frame, and nothing of the call reaches the engine.
  const port = recorded.forks[0].ports[0] as { on(e: 'message', f: (m: unknown) => void): void; off(e: 'message', f: (m: unknown) => void): void };
  const reached: unknown[] = [];
  const listen = (m: unknown): void => void reached.push(m);
  port.on('message', listen);
  try {
    for (const [channel, handler] of recorded.ipc) {
      const answer = await Promise.race([
        Promise.resolve((handler as (e: unknown, p: unknown) => unknown)({ senderFrame: { url: 'https://evil.example/' } }, {})),
        new Promise((r) => setTimeout(() => r('no answer'), 200)),
      ]);
      assert.deepEqual(answer, refused, channel);
    }
  } finally {
    port.off('message', listen);
  }
  assert.deepEqual(reached, []);
  // Params are still checked by the router.
  const bad = (await call({ senderFrame: { url: 'locus://app/index.html' } }, { extra: 1 })) as { ok: boolean; error: { code: string } };
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'invalid');
});

test('navigation, redirects, webviews and new windows are refused; no permission is granted; only app URLs load', () => {
  const wc: WebContents = win().webContents;
  for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
    let prevented = false;
    wc.emit(event, { preventDefault: () => (prevented = true) }, 'https://example.com/');
    assert.ok(prevented, event);
  }
  for (const url of ['https://example.com/', 'locus://app/index.html', 'about:blank', 'file:///etc/passwd']) {
    assert.deepEqual(wc.windowOpenHandler?.({ url }), { action: 'deny' }, url);
  }
  for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'fullscreen', 'openExternal', 'pointerLock']) {
    let granted: boolean | null = null;
    recorded.permissionRequest?.({}, permission, (ok) => (granted = ok));
    assert.equal(granted, false, permission);
  }
  assert.equal(recorded.permissionCheck?.(), false);
  const cancel = (url: string): boolean => {
    let out: boolean | null = null;
    recorded.beforeRequest!({ url }, (r) => (out = r.cancel));
    return out!;
  };
  assert.equal(cancel('https://example.com/x.js'), true);
  assert.equal(cancel('file:///etc/passwd'), true);
  assert.equal(cancel('locus://appx.evil/x.js'), true);
  assert.equal(cancel('locus://other/index.html'), true);
  assert.equal(cancel('locus://app/assets/index.js'), false);
});

/** What main.ts should hand Electron for a menu spec: the same labels, accelerators, roles, enabled flags and separators. */
function expectedMenu(specs: MenuSpec[]): MenuTemplateItem[] {
  return specs.map((s) => {
    if (s.separator) return { type: 'separator' };
    const item: Record<string, unknown> = {};
    for (const key of ['label', 'accelerator', 'enabled', 'role'] as const) if (s[key] !== undefined) item[key] = s[key];
    if (s.submenu) item.submenu = expectedMenu(s.submenu);
    return item as MenuTemplateItem;
  });
}
const withoutClicks = (items: MenuTemplateItem[]): MenuTemplateItem[] =>
  items.map(({ click: _click, submenu, ...rest }) => (submenu ? { ...rest, submenu: withoutClicks(submenu) } : rest));

test('menu items send their command to the page', () => {
  // The menu is the shared template, item for item, and each click sends that item's own command.
  const specs = menuTemplate([], process.platform, true);
  assert.deepEqual(withoutClicks(recorded.menu ?? []), expectedMenu(specs));
  const pairs: [MenuTemplateItem, MenuSpec][] = [];
  const zip = (list: MenuTemplateItem[], spec: MenuSpec[]): void =>
    list.forEach((i, n) => (pairs.push([i, spec[n]]), i.submenu && zip(i.submenu, spec[n].submenu ?? [])));
  zip(recorded.menu ?? [], specs);
  for (const [item, spec] of pairs) {
    assert.equal(Boolean(item.click), Boolean(spec.command), spec.label);
    if (!item.click) continue;
    const at = win().webContents.sent.length;
    item.click();
    assert.deepEqual(win().webContents.sent.slice(at), [[EVENT_CHANNEL, { event: 'menu.command', payload: spec.command }]], spec.label);
  }

  const items: MenuTemplateItem[] = [];
  const walk = (list: MenuTemplateItem[]): void => list.forEach((i) => (items.push(i), i.submenu && walk(i.submenu)));
  walk(recorded.menu ?? []);
  const clickable = items.filter((i) => i.click);
  assert.ok(clickable.length >= 6, `menu commands: ${clickable.map((i) => i.label).join(', ')}`);
  const before = win().webContents.sent.length;
  for (const i of clickable) i.click!();
  const sent = win().webContents.sent.slice(before);
  assert.equal(sent.length, clickable.length);
  for (const [channel, m] of sent) {
    assert.equal(channel, EVENT_CHANNEL);
    assert.equal((m as { event: string }).event, 'menu.command');
  }
  assert.ok(items.some((i) => i.label === 'Open Folder…' && i.accelerator === 'CmdOrCtrl+O'), 'File → Open Folder…');
});

test('the save dialog and the suggested path start in the documents folder, then in the last export\'s folder, kept in the settings', async () => {
  const frame = { senderFrame: { url: 'locus://app/index.html' } };
  const call = (method: string, params: unknown) => (recorded.ipc.get(ipcChannel(method as never))! as (e: unknown, p: unknown) => Promise<unknown>)(frame, params);
  recorded.saveAnswer = null;
  assert.deepEqual(await call('shell.pickSavePath', { title: 'Export GAN', defaultName: 'gan.locus.json' }), { ok: true, result: { path: null } });
  assert.equal(recorded.saveDialogs.at(-1)?.defaultPath, join(recorded.documents, 'gan.locus.json'));
  assert.deepEqual(await call('shell.suggestSavePath', { defaultName: '../x/model.locus.json' }), { ok: true, result: { path: join(recorded.documents, 'model.locus.json') } });

  // An export through the engine (answered here on the engine's port) teaches the shell its folder.
  const port = recorded.forks[0].ports[0] as { on(e: 'message', f: (m: { data: { id: number; method: string; params: { path: string } } }) => void): void; postMessage(m: unknown): void };
  port.on('message', ({ data }) => {
    if (data.method === 'gan.export') port.postMessage({ id: data.id, ok: true, result: { path: data.params.path, bytes: 10 } });
  });
  const out = join(userData, 'exports');
  await mkdir(out);
  recorded.saveAnswer = join(out, 'gan.locus.json');
  const picked = (await call('shell.pickSavePath', { defaultName: 'gan.locus.json' })) as { result: { path: string } };
  assert.equal(picked.result.path, join(out, 'gan.locus.json'));
  assert.deepEqual(await call('gan.export', { path: picked.result.path }), { ok: true, result: { path: join(out, 'gan.locus.json'), bytes: 10 } });
  assert.deepEqual(await call('shell.suggestSavePath', { defaultName: 'seq.locus.json' }), { ok: true, result: { path: join(out, 'seq.locus.json') } });
  await call('shell.pickSavePath', { defaultName: 'report.html' });
  assert.equal(recorded.saveDialogs.at(-1)?.defaultPath, join(out, 'report.html'));
  // Remembered across restarts: it is in the settings file.
  const saved = async (): Promise<unknown> => JSON.parse(await readFile(join(userData, 'settings.json'), 'utf8').catch(() => '{}')).exportFolder;
  for (let i = 0; i < 200 && (await saved()) !== out; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(await saved(), out);
  // A folder that has gone: the documents folder again.
  await rm(out, { recursive: true });
  assert.deepEqual(await call('shell.suggestSavePath', { defaultName: 'a.json' }), { ok: true, result: { path: join(recorded.documents, 'a.json') } });
});

test('a start-up failure shows its reason in words, not a stack trace, and exits with 1', async () => {
  // A message of several lines (as some system errors have): its first line only.
  const e = new Error('the user data folder is read-only\n    errno: -13, code: EACCES');
  e.stack = `Error: the user data folder is read-only\n    at main (electron/main.ts:1:1)`;
  recorded.failReady = e;
  const lines: string[] = [];
  const err = console.error;
  console.error = (l: string) => void lines.push(l);
  try {
    await import(new URL('./main.ts?failing-start', import.meta.url).href);
    await settle(() => recorded.exitCodes.length > 0);
  } finally {
    console.error = err;
  }
  assert.deepEqual(recorded.errorBoxes, [['Locus could not start', 'the user data folder is read-only']]);
  assert.deepEqual(recorded.exitCodes, [1]);
  assert.deepEqual(lines, ['Locus could not start: the user data folder is read-only']);
});
