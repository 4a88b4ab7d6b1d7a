/**
 * The shell around the views: which view shows, the theme, the shell's abilities, recent folders and
 * the notices (engine restarted, errors). One instance, created in App.svelte.
 */
import type { LabApi, Result, Settings, ViewName } from '../../../../engine/protocol/contract.js';
import { asLabError } from '../errors.js';

export type ThemeChoice = Settings['theme'];
export interface Notice {
  id: number;
  kind: 'warning' | 'error' | 'info';
  title: string;
  text: string;
}

const sentence = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export class AppState {
  #api: LabApi;
  #view = $state<ViewName>('data');
  #theme = $state<ThemeChoice>('system');
  #systemDark = $state(false);
  #info = $state.raw<Result<'shell.info'> | null>(null);
  #recent = $state.raw<string[]>([]);
  #notices = $state.raw<Notice[]>([]);
  #nextNotice = 1;

  constructor(api: LabApi) {
    this.#api = api;
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    this.#systemDark = mq.matches;
    mq.addEventListener('change', (e) => (this.#systemDark = e.matches));
    api.on('engine.restarted', (p) =>
      this.notify('warning', 'The engine restarted', `${sentence(p.reason)}. The images it held were cleared: open the folder again to continue.`),
    );
    api.on('engine.failed', (p) => this.notify('error', 'The engine stopped', `${sentence(p.reason)}. Restart Locus to continue.`));
    api.on('menu.command', (c) => {
      if (c.command === 'show-view' && c.view) this.#view = c.view;
      else if (c.command === 'toggle-theme') void this.setTheme(this.dark ? 'light' : 'dark');
    });
    void this.#load();
  }

  async #load(): Promise<void> {
    try {
      const [info, settings] = await Promise.all([this.#api.call('shell.info', {}), this.#api.call('shell.settings', {})]);
      this.#info = info;
      this.#theme = settings.theme;
      this.#recent = settings.recentFolders;
    } catch (e) {
      this.notify('error', 'Could not reach Locus', asLabError(e).message);
    }
  }

  get view(): ViewName {
    return this.#view;
  }
  set view(v: ViewName) {
    this.#view = v;
  }
  get theme(): ThemeChoice {
    return this.#theme;
  }
  /** The theme in effect (system resolved). */
  get dark(): boolean {
    return this.#theme === 'dark' || (this.#theme === 'system' && this.#systemDark);
  }
  get info(): Result<'shell.info'> | null {
    return this.#info;
  }
  get dialogs(): boolean {
    return this.#info?.dialogs ?? false;
  }
  get recent(): string[] {
    return this.#recent;
  }
  get notices(): Notice[] {
    return this.#notices;
  }

  async setTheme(theme: ThemeChoice): Promise<void> {
    this.#theme = theme;
    try {
      const s = await this.#api.call('shell.updateSettings', { theme });
      this.#recent = s.recentFolders;
    } catch (e) {
      this.notify('error', 'Could not save the theme', asLabError(e).message);
    }
  }

  async refreshRecent(): Promise<void> {
    try {
      this.#recent = (await this.#api.call('shell.settings', {})).recentFolders;
    } catch {
      // the list stays as it was; nothing the user must act on
    }
  }

  async forgetRecent(path: string): Promise<void> {
    try {
      this.#recent = (await this.#api.call('shell.forgetRecent', { path })).recentFolders;
    } catch (e) {
      this.notify('error', 'Could not update the recent list', asLabError(e).message);
    }
  }

  /**
   * Where to propose saving a file named name (the browser host's path fields): the shell's one rule,
   * the folder of the last export, else the documents folder. Null when the shell cannot say.
   */
  async suggestSavePath(name: string): Promise<string | null> {
    try {
      return (await this.#api.call('shell.suggestSavePath', { defaultName: name })).path;
    } catch {
      return null;
    }
  }

  /** A native save dialog for a model file (Electron); null when cancelled or unavailable. */
  async pickSavePath(defaultName: string): Promise<string | null> {
    try {
      return (await this.#api.call('shell.pickSavePath', { title: 'Export model', defaultName, filters: [{ name: 'Locus model', extensions: ['json'] }] })).path;
    } catch (e) {
      this.notify('error', 'Could not open the save dialog', asLabError(e).message);
      return null;
    }
  }

  notify(kind: Notice['kind'], title: string, text: string): void {
    this.#notices = [...this.#notices.filter((n) => n.title !== title), { id: this.#nextNotice++, kind, title, text }];
  }
  dismiss(id: number): void {
    this.#notices = this.#notices.filter((n) => n.id !== id);
  }
}
