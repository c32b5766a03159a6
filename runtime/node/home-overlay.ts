// A CLI's home for one run that differs from the user's only in its settings (gemini's client tools:
// runtime/backends/gemini-tools.ts). A private 0700 folder holds `<dirName>/`, in which each entry of the
// user's `<home>/<dirName>/` is a symlink (auth, sessions, history: read and written where they are) and
// the settings file is the user's JSON with the run's settings merged in. The user's files are only read.
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Top-level keys of `add` win; an object under both is merged one level down (`mcpServers` by name). */
export function mergeSettings(user: Obj, add: Obj): Obj {
  const out: Obj = { ...user };
  for (const [k, v] of Object.entries(add)) out[k] = isObj(v) && isObj(user[k]) ? { ...user[k], ...v } : v;
  return out;
}

/** The user's settings; comments (which gemini allows) are stripped when plain JSON does not parse. */
async function readSettings(file: string, warnings: string[]): Promise<Obj> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return {};
  }
  for (const candidate of [text, text.replace(/^\s*\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '')]) {
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (isObj(parsed)) return parsed;
    } catch {
      // next candidate
    }
  }
  warnings.push(`${file} could not be read as JSON; this run used only the settings clinvk needs for the client's tools`);
  return {};
}

export async function homeOverlay(
  o: { home: string | undefined; dirName: string; settingsFile: string; settings: Obj },
  base: () => string = tmpdir,
): Promise<{ path: string; warnings: string[]; remove(): Promise<void> }> {
  const warnings: string[] = [];
  const root = await mkdtemp(join(base(), 'clinvk-home-'));
  const remove = () => rm(root, { recursive: true, force: true }).catch(() => {});
  try {
    const dir = join(root, o.dirName);
    await mkdir(dir, { mode: 0o700 });
    const real = o.home ? join(o.home, o.dirName) : undefined;
    // Created in the user's folder first when missing, so what the CLI saves this run (its sessions, kept
    // under tmp/) lands there and a later run without tools can resume it.
    const entries = real ? await readdir(real).catch(() => [] as string[]) : [];
    if (real && entries.length > 0 && !entries.includes('tmp')) {
      await mkdir(join(real, 'tmp'), { mode: 0o700 }).then(() => entries.push('tmp'), () => {});
    }
    for (const name of entries) if (name !== o.settingsFile) await symlink(join(real!, name), join(dir, name));
    const user = real ? await readSettings(join(real, o.settingsFile), warnings) : {};
    await writeFile(join(dir, o.settingsFile), JSON.stringify(mergeSettings(user, o.settings)), { mode: 0o600 });
    return { path: root, warnings, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
