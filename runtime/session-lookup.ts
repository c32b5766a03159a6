// Which session `-c`, auto-resume and `resume --last/--here` mean. Pure: only the SessionStore port.
import type { Session, SessionStore } from './contract.ts';

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
