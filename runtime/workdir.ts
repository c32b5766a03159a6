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

/**
 * Why `resolved` is refused by the policy ("is inside the blocked prefix /etc"), or undefined when it is
 * fine. The phrase names no path but the prefixes of the policy, so callers can put the path the user
 * gave in front of it.
 */
export function workdirRefusal(resolved: string, policy: WorkdirPolicy, resolvedPrefixes?: { allowed: string[]; blocked: string[] }): string | undefined {
  if (resolved === '/') return 'is the root directory /, which is never allowed';
  const blocked = [...DEFAULT_BLOCKED_WORKDIR_PREFIXES, ...policy.blocked];
  // resolvedPrefixes.blocked is `blocked` with each prefix's symlinks resolved, in the same order: name the configured one.
  const i = blocked.findIndex((p, n) => isUnder(resolved, p) || isUnder(resolved, resolvedPrefixes?.blocked[n] ?? p));
  if (i >= 0) return `is inside the blocked prefix ${trimSlash(blocked[i]!)}`;
  const allowed = [...policy.allowed, ...(resolvedPrefixes?.allowed ?? [])];
  if (policy.allowed.length > 0 && !allowed.some((p) => isUnder(resolved, p))) {
    return `is outside the allowed prefixes (${policy.allowed.join(', ')})`;
  }
  return undefined;
}

/**
 * How a refused path is named to the caller. Remote callers (a policy is set) see only what they sent:
 * never the server's own working directory, and never where a symlink leads (that is `detail`, for the
 * log and the local user).
 */
interface Shown {
  label: string;
  detail?: string;
}

function shownPath(requested: string | undefined, joined: string, resolved: string | undefined, remote: boolean): Shown {
  const label = requested ?? (remote ? "the server's working directory" : joined);
  const followed = resolved !== undefined && resolved !== trimSlash(joined);
  if (followed) return { label, detail: `${joined} resolves to ${resolved}` };
  return label === joined ? { label } : { label, detail: joined };
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
  const remote = deps.policy !== undefined;
  if (!absolute && remote) {
    throw new ClinvkError('WORKDIR_FORBIDDEN', `workdir must be an absolute path, got "${raw}"`);
  }
  const joined = absolute ? raw : `${trimSlash(deps.cwd)}/${raw}`;
  let resolved: string;
  try {
    resolved = await deps.realpath(joined);
  } catch {
    const shown = shownPath(requested, joined, undefined, remote);
    throw new ClinvkError('WORKDIR_FORBIDDEN', `workdir ${shown.label} does not exist`, { hint: 'create the directory or pass an existing one with -w/--workdir', ...detailOf(shown) });
  }
  if (deps.policy) await checkPolicy(resolved, deps.policy, deps.realpath, shownPath(requested, joined, resolved, remote), 'workdir refused: ');
  // A file passes the prefix checks and would then fail the spawn (ENOTDIR) after a session was recorded.
  if (deps.isDirectory && !(await deps.isDirectory(resolved).catch(() => false))) {
    const shown = shownPath(requested, joined, undefined, remote);
    throw new ClinvkError('WORKDIR_FORBIDDEN', `workdir ${shown.label} is not a directory`, { hint: 'pass a directory with -w/--workdir', ...detailOf(shown) });
  }
  return resolved;
}

const detailOf = (shown: Shown) => (shown.detail ? { detail: shown.detail } : {});

async function checkPolicy(resolved: string, policy: WorkdirPolicy, realpath: (path: string) => Promise<string>, shown: Shown, what: string): Promise<void> {
  // Prefixes may themselves be symlinks (/tmp → /private/tmp on macOS): check against both forms.
  const real = async (ps: string[]) => Promise.all(ps.map((p) => realpath(p).catch(() => p)));
  const resolvedPrefixes = { allowed: await real(policy.allowed), blocked: await real([...DEFAULT_BLOCKED_WORKDIR_PREFIXES, ...policy.blocked]) };
  const why = workdirRefusal(resolved, policy, resolvedPrefixes);
  if (why) {
    // Through a symlink, even the blocked prefix would say where it leads: say only that it is refused.
    const followed = shown.detail?.includes(' resolves to ') === true;
    const message = followed && why.startsWith('is inside') ? `${what}${shown.label} leads into a blocked directory` : `${what}${shown.label} ${why}`;
    throw new ClinvkError('WORKDIR_FORBIDDEN', message, {
      hint: 'pick a directory under server.allowed_workdir_prefixes, outside the blocked prefixes',
      ...detailOf(shown),
    });
  }
}

/**
 * Paths the caller hands a backend through `extra` (`--add-dir`, `--include-directories`, `--image`…)
 * reach as far as the workdir itself, so with a policy (the server) each must pass it too: otherwise
 * `--add-dir=/etc` would give the agent what the workdir rules refuse. Relative paths are taken from
 * the run's workdir; every path must exist (its real path is what gets checked).
 */
export async function checkExtraPaths(paths: string[], deps: { cwd: string; realpath(path: string): Promise<string>; policy: WorkdirPolicy }, what = 'extra path'): Promise<void> {
  for (const p of paths) {
    const joined = p.startsWith('/') ? p : `${trimSlash(deps.cwd)}/${p}`;
    let resolved: string;
    try {
      resolved = await deps.realpath(joined);
    } catch {
      throw new ClinvkError('WORKDIR_FORBIDDEN', `${what} ${p} does not exist`, { hint: 'pass existing paths to --add-dir / --include-directories / --image' });
    }
    const shown: Shown = resolved !== trimSlash(joined) ? { label: p, detail: `${joined} resolves to ${resolved}` } : { label: p };
    await checkPolicy(resolved, deps.policy, deps.realpath, shown, `${what} refused: `);
  }
}
