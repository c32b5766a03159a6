// Which session `-c`, auto-resume, `resume --last/--here` and a delete mean. Pure: only the SessionStore port.
import { ClinvkError, type Session, type SessionStore } from './contract.ts';

const resumable = (s: Session) => !!s.backendSessionId;

/**
 * `-c`: the newest resumable session in this directory (of `backend` when the user named one), else the
 * newest of `backend` anywhere. `strict` (config session.auto_resume): only same directory AND same backend.
 */
export async function findContinueTarget(
  store: SessionStore,
  where: { workdir: string; backend: string; backendNamed?: boolean; strict?: boolean },
): Promise<Session | undefined> {
  const candidates = (await store.list()).sessions.filter(resumable);
  const sameBackend = (s: Session) => s.backend === where.backend;
  const here = candidates.find((s) => s.workingDir === where.workdir && (where.strict || where.backendNamed ? sameBackend(s) : true));
  if (here || where.strict) return here;
  return candidates.find(sameBackend);
}

/** `resume --last` (newest resumable), `--here` (newest resumable in this directory), filtered by backend. */
export async function findResumeTarget(store: SessionStore, q: { here?: string; backend?: string }): Promise<Session | undefined> {
  const { sessions } = await store.list(q.backend ? { backend: q.backend } : {});
  return sessions.filter(resumable).find((s) => !q.here || s.workingDir === q.here);
}

/**
 * The fewest characters of an id that a destructive operation accepts. Reads take any unique prefix;
 * a delete by `3f` would remove whichever session happens to be the only one starting with it today.
 */
export const MIN_DELETE_PREFIX = 8;

/**
 * The session a delete means: the full id, or a unique prefix of at least MIN_DELETE_PREFIX
 * characters. Shared by `sessions delete`, `DELETE /api/v1/sessions/{id}` and MCP `clinvk_sessions`.
 */
export async function sessionToDelete(store: SessionStore, idOrPrefix: string): Promise<Session> {
  const wanted = idOrPrefix.trim();
  if (wanted.length >= MIN_DELETE_PREFIX) return store.get(wanted);
  // A full id shorter than the minimum (none of ours is, but a store may have them) is still exact.
  const exact = await store.get(wanted).catch(() => undefined);
  if (exact && exact.id.toLowerCase() === wanted.toLowerCase()) return exact;
  throw new ClinvkError(
    'INVALID_INPUT',
    `"${wanted.slice(0, 80)}" is too short to delete a session: give its full id or at least ${MIN_DELETE_PREFIX} characters of it`,
    { hint: 'list sessions to see their ids (clinvk sessions list); shorter prefixes still work to show or resume one' },
  );
}
