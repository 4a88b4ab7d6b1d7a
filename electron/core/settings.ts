/**
 * The user's settings and recent folders, kept as one JSON file (Electron: app.getPath('userData');
 * the browser host: the same folder by default, or --user-data). Writes are atomic (a temporary file
 * renamed over the old one) and queued so two never interleave. A file that is missing, unreadable or
 * fails the contract's guard gives the defaults (and is left in place, renamed *.corrupt, if invalid).
 */
import { mkdir, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { processRuns, sweepTemps, writeFileAtomic } from '../../engine/io/atomic.js';
import { Settings, THEMES } from '../../engine/protocol/contract.js';

export const MAX_RECENT = 10;
export const DEFAULT_SETTINGS: Settings = Object.freeze({ theme: 'system', recentFolders: [] }) as Settings;

export class SettingsStore {
  #file: string;
  #value: Settings;
  #queue: Promise<void> = Promise.resolve();

  private constructor(file: string, value: Settings) {
    this.#file = file;
    this.#value = value;
  }

  static async open(file: string, log: (line: string) => void = console.error): Promise<SettingsStore> {
    await sweepSettingsTemps(file, log);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return new SettingsStore(file, { ...DEFAULT_SETTINGS, recentFolders: [] });
    }
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // handled below as invalid
    }
    const bad = parsed === null ? 'not JSON' : Settings.check(parsed);
    if (bad) {
      log(`settings: ${file} is invalid (${bad}); starting from defaults`);
      await rename(file, `${file}.corrupt`).catch(() => {});
      return new SettingsStore(file, { ...DEFAULT_SETTINGS, recentFolders: [] });
    }
    return new SettingsStore(file, parsed as Settings);
  }

  get(): Settings {
    const { exportFolder } = this.#value;
    return { theme: this.#value.theme, recentFolders: [...this.#value.recentFolders], ...(exportFolder ? { exportFolder } : {}) };
  }

  /** Remember the folder of the last export (save-folder.ts proposes the next one there). */
  async setExportFolder(folder: string): Promise<Settings> {
    if (this.#value.exportFolder !== folder) {
      this.#value = { ...this.#value, exportFolder: folder };
      await this.#save();
    }
    return this.get();
  }

  async update(patch: { theme?: (typeof THEMES)[number] }): Promise<Settings> {
    if (patch.theme !== undefined) this.#value = { ...this.#value, theme: patch.theme };
    await this.#save();
    return this.get();
  }

  /** Put a folder first in the recent list (once), keeping at most MAX_RECENT. */
  async addRecent(path: string): Promise<Settings> {
    const rest = this.#value.recentFolders.filter((p) => p !== path);
    this.#value = { ...this.#value, recentFolders: [path, ...rest].slice(0, MAX_RECENT) };
    await this.#save();
    return this.get();
  }

  async forgetRecent(path: string): Promise<Settings> {
    this.#value = { ...this.#value, recentFolders: this.#value.recentFolders.filter((p) => p !== path) };
    await this.#save();
    return this.get();
  }

  #save(): Promise<void> {
    const snapshot = JSON.stringify(this.#value, null, 2) + '\n';
    const file = this.#file;
    const run = async (): Promise<void> => {
      await mkdir(dirname(file), { recursive: true });
      // Temporary file flushed and renamed over the old one, the folder flushed; stale ones swept.
      await writeFileAtomic(file, snapshot, {}, { mode: 0o600 });
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => {});
    return next;
  }
}

/**
 * Temporaries a killed writer left next to the settings file: the current pattern (.settings.json.PID.N.tmp,
 * engine/io/atomic.ts) and the one earlier versions used (settings.json.PID.tmp) when PID no longer runs.
 */
async function sweepSettingsTemps(file: string, log: (line: string) => void): Promise<void> {
  let removed = await sweepTemps(file);
  const prefix = `${basename(file)}.`;
  const names = await readdir(dirname(file)).catch(() => [] as string[]);
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (!m || processRuns(Number(m[1]))) continue;
    if (await unlink(join(dirname(file), name)).then(() => true, () => false)) removed++;
  }
  if (removed) log(`settings: removed ${removed} temporary file${removed === 1 ? '' : 's'} left by an interrupted write`);
}

/** Where Electron keeps userData for an app named "Locus", for the browser host to share it. */
export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Locus');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Locus');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'Locus');
}
