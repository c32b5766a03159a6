// The engine's two writes to the session store: open (create or mark active) before the run,
// and one update at the end. A store failure becomes a warning, never a failed run.
import type { Invocation, Logger, RunResult, Session, SessionStore, TokenUsage } from './contract.ts';
import type { Config } from './config.ts';
import type { PlanInternal } from './engine-plan.ts';

export interface SessionDeps {
  config: Config;
  iso(): string;
  log?: Logger;
}

const compact = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const errText = (err: unknown) => (err as Error)?.message ?? String(err);

export const titleOf = (prompt: string): string => {
  const line = prompt.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 77)}…` : line;
};

/** New session (status active) or the resumed one marked active. On failure: a warning, no session. */
export async function openSession(
  store: SessionStore,
  inv: Invocation,
  plan: PlanInternal,
  warnings: string[],
  deps: SessionDeps,
): Promise<Session | undefined> {
  try {
    if (plan.session) return await store.update(plan.session.id, (s) => ({ ...s, status: 'active', lastUsed: deps.iso() }));
    return await store.create(
      compact({
        backend: plan.backend,
        workingDir: plan.cwd,
        initialPrompt: inv.prompt,
        model: plan.model,
        title: inv.title ?? titleOf(inv.prompt),
        tags: [...deps.config.session.default_tags],
        parentId: inv.parentId,
        metadata: inv.metadata ? { ...inv.metadata } : undefined,
        status: 'active' as const,
      }),
    );
  } catch (err) {
    // info, not warn: the run's warnings already carry it to the user (the CLI prints it, the APIs
    // return it), and a warn here would print it twice on the CLI. The message only, never a stack.
    deps.log?.info({ err: errText(err) }, 'session not recorded');
    warnings.push(`the session was not recorded: ${errText(err)}`);
    return undefined;
  }
}

export interface SettledUsage {
  totalUsage: TokenUsage;
  totalCostUsd?: number | undefined;
}

/** The one update at the end of a run (also after a failure or cancel); returns a warning instead of throwing. */
export async function finalUpdate(
  store: SessionStore,
  id: string,
  result: RunResult,
  settled: SettledUsage,
  deps: SessionDeps & { keepUsage?: boolean },
): Promise<string | undefined> {
  const storeUsage = deps.config.session.store_token_usage && !deps.keepUsage;
  try {
    await store.update(id, (s) => {
      const next: Session = {
        ...s,
        backendSessionId: result.backendSessionId ?? s.backendSessionId,
        model: result.model ?? s.model,
        turnCount: s.turnCount + 1,
        status: result.error ? 'error' : 'completed',
        lastUsed: deps.iso(),
      };
      if (storeUsage) {
        next.tokenUsage = settled.totalUsage;
        if (settled.totalCostUsd !== undefined) next.costUsd = settled.totalCostUsd;
      }
      if (result.error) next.errorMessage = result.error.message;
      else delete next.errorMessage;
      return next;
    });
    return undefined;
  } catch (err) {
    deps.log?.info({ err: errText(err), session: id }, 'session update failed'); // also a run warning (above)
    return `the session ${id} could not be updated: ${errText(err)}`;
  }
}

/**
 * A run that its session recorded as completed failed afterwards (structured output: the answer did not
 * match the schema, even after the repair turn): the record says so. A failed write is logged only,
 * since the run's own answer already carries the failure.
 */
export async function markSessionFailed(store: SessionStore, id: string, message: string, deps: Pick<SessionDeps, 'log'>): Promise<void> {
  try {
    await store.update(id, (s) => ({ ...s, status: 'error', errorMessage: message }));
  } catch (err) {
    deps.log?.info({ err: errText(err), session: id }, 'session update failed');
  }
}
