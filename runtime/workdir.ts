// Where a run may happen (SPEC §8). Pure: the caller passes `realpath`, so symlinks are resolved
// before any prefix check (a link under an allowed prefix pointing into /etc is refused).
import { ClinvkError } from './contract.ts';
import { DEFAULT_BLOCKED_WORKDIR_PREFIXES } from './config-defaults.ts';

export interface WorkdirPolicy {
  /** When non-empty, the workdir must sit under one of these. */
  allowed: string[];
  /** Added to DEFAULT_BLOCKED_WORKDIR_PREFIXES. */
  blocked: string[];
}

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

/** `path` equals `prefix` or lies below it (`/etc2` is not under `/etc`). */
export function isUnder(path: string, prefix: string): boolean {
  const pre = trimSlash(prefix);
  if (pre === '/') return true;
  return path === pre || path.startsWith(`${pre}/`);
}

/** Why `resolved` is refused by the policy, or undefined when it is fine. */
export function workdirRefusal(resolved: string, policy: WorkdirPolicy, resolvedPrefixes?: { allowed: string[]; blocked: string[] }): string | undefined {
  if (resolved === '/') return 'the root directory / is never allowed as a workdir';
  const blocked = [...DEFAULT_BLOCKED_WORKDIR_PREFIXES, ...policy.blocked, ...(resolvedPrefixes?.blocked ?? [])];
  const hit = blocked.find((p) => isUnder(resolved, p));
  if (hit) return `${resolved} is inside the blocked prefix ${trimSlash(hit)}`;
  const allowed = [...policy.allowed, ...(resolvedPrefixes?.allowed ?? [])];
  if (policy.allowed.length > 0 && !allowed.some((p) => isUnder(resolved, p))) {
    return `${resolved} is outside the allowed prefixes (${policy.allowed.join(', ')})`;
  }
  return undefined;
}

/**
 * Resolves a workdir to its real absolute path and applies the policy.
 * Without a policy (the CLI) a relative path is taken from `cwd`; with one (the server) it must be absolute.
 */
export async function resolveWorkdir(
  requested: string | undefined,
  deps: { cwd: string; realpath(path: string): Promise<string>; isDirectory?(path: string): Promise<boolean>; policy?: WorkdirPolicy },
): Promise<string> {
  const raw = requested ?? deps.cwd;
  const absolute = raw.startsWith('/');
  if (!absolute && deps.policy) {
    throw new ClinvkError('WORKDIR_FORBIDDEN', `workdir must be an absolute path, got "${raw}"`);
  }
  const joined = absolute ? raw : `${trimSlash(deps.cwd)}/${raw}`;
  let resolved: string;
  try {
    resolved = await deps.realpath(joined);
  } catch {
    throw new ClinvkError('WORKDIR_FORBIDDEN', `workdir ${joined} does not exist`, { hint: 'create the directory or pass an existing one with -w/--workdir' });
  }
  if (deps.policy) await checkPolicy(resolved, deps.policy, deps.realpath);
  // A file passes the prefix checks and would then fail the spawn (ENOTDIR) after a session was recorded.
  if (deps.isDirectory && !(await deps.isDirectory(resolved).catch(() => false))) {
    throw new ClinvkError('WORKDIR_FORBIDDEN', `workdir ${joined} is not a directory`, { hint: 'pass a directory with -w/--workdir' });
  }
  return resolved;
}

async function checkPolicy(resolved: string, policy: WorkdirPolicy, realpath: (path: string) => Promise<string>, what = 'workdir refused: '): Promise<void> {
  // Prefixes may themselves be symlinks (/tmp → /private/tmp on macOS): check against both forms.
  const real = async (ps: string[]) => Promise.all(ps.map((p) => realpath(p).catch(() => p)));
  const resolvedPrefixes = { allowed: await real(policy.allowed), blocked: await real([...DEFAULT_BLOCKED_WORKDIR_PREFIXES, ...policy.blocked]) };
  const why = workdirRefusal(resolved, policy, resolvedPrefixes);
  if (why) {
    throw new ClinvkError('WORKDIR_FORBIDDEN', `${what}${why}`, {
      hint: 'pick a directory under server.allowed_workdir_prefixes, outside the blocked prefixes',
    });
  }
}

/**
 * Paths the caller hands a backend through `extra` (`--add-dir`, `--include-directories`, `--image`…)
 * reach as far as the workdir itself, so with a policy (the server) each must pass it too: otherwise
 * `--add-dir=/etc` would give the agent what the workdir rules refuse. Relative paths are taken from
 * the run's workdir; every path must exist (its real path is what gets checked).
 */
export async function checkExtraPaths(paths: string[], deps: { cwd: string; realpath(path: string): Promise<string>; policy: WorkdirPolicy }): Promise<void> {
  for (const p of paths) {
    const joined = p.startsWith('/') ? p : `${trimSlash(deps.cwd)}/${p}`;
    let resolved: string;
    try {
      resolved = await deps.realpath(joined);
    } catch {
      throw new ClinvkError('WORKDIR_FORBIDDEN', `extra path ${p} does not exist`, { hint: 'pass existing paths to --add-dir / --include-directories / --image' });
    }
    await checkPolicy(resolved, deps.policy, deps.realpath, `extra path refused: `);
  }
}
