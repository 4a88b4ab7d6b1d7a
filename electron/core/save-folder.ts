/**
 * Where the app proposes to save a file, one rule for every export (models, GAN, sequence model, runs,
 * experiments): the folder of the last export that succeeded, else the documents folder, else home.
 * A folder that no longer exists is skipped. Both shells keep the last folder in their settings file
 * (so it outlives a restart) and learn it in the router's afterEngine hook; the desktop save dialog
 * starts there and the browser host fills its path fields with it (shell.suggestSavePath).
 */
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/** Engine methods that write a file (or a folder) at params.path when they succeed. */
export const SAVE_METHODS: ReadonlySet<string> = new Set([
  'models.export',
  'models.exportTo',
  'gan.export',
  'sequence.export',
  'runs.export',
  'experiments.export',
  'experiments.fromRuns',
]);

/** The folder a successful saving request wrote into, or null when the method does not save. */
export function savedFolder(method: string, params: unknown): string | null {
  if (!SAVE_METHODS.has(method)) return null;
  const path = (params as { path?: unknown } | null)?.path;
  return typeof path === 'string' && path.trim() ? dirname(resolve(path.trim())) : null;
}

const isDir = (p: string): Promise<boolean> => stat(p).then((s) => s.isDirectory(), () => false);

/** The rule: the last export's folder if it is still there, else documents, else home. */
export async function exportFolder(last: string | undefined, documents: string, home: string = homedir()): Promise<string> {
  if (last && (await isDir(last))) return last;
  if (await isDir(documents)) return documents;
  return home;
}

/** A file named like defaultName (its last part only: never a path out of the folder) in folder. */
export function inFolder(folder: string, defaultName: string): string {
  const name = basename(defaultName.replace(/\\/g, '/')) || 'untitled';
  return join(folder, name === '..' || name === '.' ? 'untitled' : name);
}

/**
 * The documents folder without Electron (the browser host): XDG_DOCUMENTS_DIR where set (Linux),
 * else Documents in the home folder (Windows: the profile's Documents). Electron asks app.getPath('documents').
 */
export function documentsFolder(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env.XDG_DOCUMENTS_DIR?.replace(/^\$HOME(?=\/|$)/, home);
  if (xdg && xdg.startsWith('/')) return xdg;
  return join(home, 'Documents');
}

/** What a shell needs: settings that keep the last export folder. */
export interface ExportFolderSettings {
  get(): { exportFolder?: string };
  setExportFolder(folder: string): Promise<unknown>;
}

/** The rule bound to a shell's settings and documents folder. */
export function saveFolders(settings: ExportFolderSettings, documents: string, home: string = homedir()) {
  const folder = (): Promise<string> => exportFolder(settings.get().exportFolder, documents, home);
  return {
    folder,
    /** Where to propose saving defaultName. */
    suggest: async (defaultName: string): Promise<string> => inFolder(await folder(), defaultName),
    /** After an engine method succeeded: remember the folder it saved into (a no-op for other methods). */
    learn: (method: string, params: unknown): Promise<unknown> | null => {
      const dir = savedFolder(method, params);
      return dir ? settings.setExportFolder(dir) : null;
    },
  };
}
