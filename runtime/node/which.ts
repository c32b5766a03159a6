// PATH lookup for the backend binaries (cached ~30 s, SPEC §1) and their `--version` (cached per binary).
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { runShort } from './short-command.ts';

export interface WhichOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  ttlMs?: number;
  now?: () => number;
}

async function isExecutableFile(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** Returns a cached `which(command)`: absolute or relative paths are checked as they are, names searched on PATH. */
export function createWhich(opts: WhichOptions = {}): (command: string) => Promise<string | undefined> {
  const ttl = opts.ttlMs ?? 30_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; path: string | undefined }>();
  return async (command) => {
    const hit = cache.get(command);
    if (hit && now() - hit.at < ttl) return hit.path;
    const path = await lookup(command, opts.env ?? process.env, opts.cwd ?? process.cwd());
    cache.set(command, { at: now(), path });
    return path;
  };
}

async function lookup(command: string, env: Record<string, string | undefined>, cwd: string): Promise<string | undefined> {
  if (command === '') return undefined;
  if (command.includes('/')) {
    const p = isAbsolute(command) ? command : resolve(cwd, command);
    return (await isExecutableFile(p)) ? p : undefined;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(isAbsolute(dir) ? dir : resolve(cwd, dir), command);
    if (await isExecutableFile(p)) return p;
  }
  return undefined;
}

/** `<bin> --version` (first non-empty line), 5 s timeout, cached per binary; undefined when it fails. */
export function createVersionProbe(opts: { env?: Record<string, string | undefined>; timeoutMs?: number } = {}) {
  const cache = new Map<string, Promise<string | undefined>>();
  return (binary: string, args: string[] = ['--version']): Promise<string | undefined> => {
    const key = `${binary}\0${args.join('\0')}`;
    let p = cache.get(key);
    if (!p) {
      p = probe(binary, args, opts.env, opts.timeoutMs ?? 5000);
      cache.set(key, p);
    }
    return p;
  };
}

async function probe(binary: string, args: string[], env: Record<string, string | undefined> | undefined, timeoutMs: number): Promise<string | undefined> {
  const r = await runShort(binary, args, { ...(env ? { env } : {}), timeoutMs });
  if (!r || r.exitCode !== 0) return undefined;
  return `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
}

/** Module-level convenience with the process's own PATH. */
export const backendVersion = createVersionProbe();
