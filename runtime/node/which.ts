// PATH lookup for the backend binaries (cached ~30 s, SPEC §1) and their `--version` (cached per binary).
import { spawn } from 'node:child_process';
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

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

/**
 * node:child_process, not tinyexec: tinyexec spreads process.env under the env it is given, which
 * handed the server's CLINVK_API_KEYS (dropped by childEnv) to every backend's `--version`.
 * The child gets exactly `env`; it is finished on 'exit' (a grandchild may hold the pipes).
 */
function probe(binary: string, args: string[], env: Record<string, string | undefined> | undefined, timeout: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const line = `${out}\n${err}`.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
      resolve(ok && line ? line : undefined);
    };
    let child: ReturnType<typeof spawn>;
    try {
      const clean = Object.fromEntries(Object.entries(env ?? process.env).filter((e): e is [string, string] => e[1] !== undefined));
      child = spawn(binary, args, { env: clean, stdio: ['ignore', 'pipe', 'pipe'], shell: false, windowsHide: true });
    } catch {
      return resolve(undefined);
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(false);
    }, timeout);
    child.stdout!.on('data', (d: Buffer) => (out = (out + d).slice(0, 65_536)));
    child.stderr!.on('data', (d: Buffer) => (err = (err + d).slice(0, 65_536)));
    child.on('error', () => finish(false));
    child.on('close', (code) => finish(code === 0));
    // 'close' waits for the pipes; give them a moment after 'exit', then answer with what came.
    child.on('exit', (code) => setTimeout(() => finish(code === 0), 200).unref());
  });
}

/** Module-level convenience with the process's own PATH. */
export const backendVersion = createVersionProbe();
