/**
 * The native menu as plain data (so it can be tested without Electron): items either carry a contract
 * `menu.command` for the renderer, or an Electron role. main.ts turns this into a Menu.
 */
import type { Payload, ViewName } from '../../engine/protocol/contract.js';

export type MenuCommand = Payload<'menu.command'>;
export type Role = 'quit' | 'editMenu' | 'reload' | 'toggleDevTools' | 'resetZoom' | 'zoomIn' | 'zoomOut' | 'togglefullscreen' | 'about' | 'windowMenu' | 'appMenu';

export interface MenuSpec {
  label?: string;
  accelerator?: string;
  command?: MenuCommand;
  role?: Role;
  separator?: true;
  enabled?: boolean;
  submenu?: MenuSpec[];
}

const VIEW_ITEMS: [ViewName, string][] = [
  ['data', 'Data'],
  ['train', 'Train'],
  ['gan', 'GAN'],
  ['clustering', 'Clustering'],
  ['sequence', 'Sequence'],
  ['models', 'Models'],
  ['experiments', 'Experiments'],
];

export function menuTemplate(recent: readonly string[], platform: string, dev = false): MenuSpec[] {
  const sep: MenuSpec = { separator: true };
  const mac = platform === 'darwin';
  const recentItems: MenuSpec[] =
    recent.length === 0
      ? [{ label: 'No recent folders', enabled: false }]
      : recent.map((path) => ({ label: path, command: { command: 'open-recent', path } }));
  const file: MenuSpec = {
    label: '&File',
    submenu: [
      { label: 'Open Folder…', accelerator: 'CmdOrCtrl+O', command: { command: 'open-folder' } },
      { label: 'Open Recent', submenu: recentItems },
      { label: 'Open Bundled Sample', command: { command: 'open-sample' } },
      sep,
      { label: 'Open Model…', accelerator: 'CmdOrCtrl+Shift+O', command: { command: 'open-model' } },
      { label: 'Export Model…', accelerator: 'CmdOrCtrl+E', command: { command: 'export-model' } },
      ...(mac ? [] : [sep, { label: 'Quit', accelerator: 'CmdOrCtrl+Q', role: 'quit' as const }]),
    ],
  };
  const view: MenuSpec = {
    label: '&View',
    submenu: [
      ...VIEW_ITEMS.map(([v, label], i): MenuSpec => ({
        label,
        accelerator: `CmdOrCtrl+${i + 1}`,
        command: { command: 'show-view', view: v },
      })),
      sep,
      { label: 'Toggle Dark Theme', accelerator: 'CmdOrCtrl+Shift+D', command: { command: 'toggle-theme' } },
      sep,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      sep,
      { role: 'togglefullscreen' },
      ...(dev ? [sep, { role: 'reload' as const }, { role: 'toggleDevTools' as const }] : []),
    ],
  };
  const help: MenuSpec = { label: '&Help', submenu: [{ label: 'About Locus', role: 'about' }] };
  return [...(mac ? [{ role: 'appMenu' as const }] : []), file, { label: '&Edit', role: 'editMenu' }, view, ...(mac ? [{ role: 'windowMenu' as const }] : []), help];
}
