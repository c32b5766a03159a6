// The edge's one Durable Object class (wrangler.toml binds it as CLINVK_STATE). Every isolate of the
// Worker asks it, so a follow-up request that lands in another isolate (or after a restart) still finds:
// conversation → runner session, stored Responses, MCP session → runner, and which runners are up.
// Entries expire like the Node server's in-memory ones; an alarm sweeps those nobody read again.
import { refreshStates, type RunnerState } from '../../runtime/runner-health.ts';
import { parseRunnerList } from '../../runtime/runner-list.ts';
import type { DurableState } from './durable-types.ts';
import { stateOpSchema, type StateOp } from './state-protocol.ts';

interface Entry {
  v: unknown;
  /** Expires at (ms since the epoch). */
  exp: number;
}

const SWEEP_EVERY_MS = 10 * 60_000;
const RUNNERS_KEY = 'runners';
const kvKey = (key: string) => `kv:${key}`;

export interface StateObjectEnv {
  RUNNER_URL?: string;
  /** Seconds between two /health checks of one runner (default 5). */
  RUNNER_CHECK_SECS?: string;
}

export class EdgeState {
  /** The /health checks in flight: requests that arrive meanwhile wait for them rather than probe again. */
  private probing: Promise<Record<string, RunnerState>> | undefined;

  constructor(
    private readonly state: DurableState,
    private readonly env: StateObjectEnv,
  ) {}

  async fetch(request: Request): Promise<Response> {
    const parsed = stateOpSchema.safeParse(await request.json().catch(() => undefined));
    if (!parsed.success) return Response.json({ error: 'bad state operation' }, { status: 400 });
    try {
      return Response.json(await this.handle(parsed.data));
    } catch (err) {
      // Too large a value (a huge stored response) or storage trouble: the caller logs it and goes on.
      return Response.json({ error: err instanceof Error ? err.message : String(err) }, { status: 500 });
    }
  }

  private async handle(op: StateOp): Promise<unknown> {
    const storage = this.state.storage;
    const now = Date.now();
    switch (op.op) {
      case 'get': {
        const hit = await storage.get<Entry>(kvKey(op.key));
        if (!hit) return {};
        if (hit.exp <= now) {
          await storage.delete(kvKey(op.key));
          return {};
        }
        if (op.touchMs) await storage.put<Entry>(kvKey(op.key), { v: hit.v, exp: now + op.touchMs });
        return { value: hit.v };
      }
      case 'set':
        await storage.put<Entry>(kvKey(op.key), { v: op.value, exp: now + op.ttlMs });
        if ((await storage.getAlarm()) === null) await storage.setAlarm(now + SWEEP_EVERY_MS);
        return {};
      case 'delete':
        await storage.delete(kvKey(op.key));
        return {};
      case 'runners':
        this.probing ??= this.refreshRunners().finally(() => (this.probing = undefined));
        return { states: await this.probing };
      case 'runner-down': {
        const known = (await storage.get<Record<string, RunnerState>>(RUNNERS_KEY)) ?? {};
        await storage.put(RUNNERS_KEY, { ...known, [op.name]: { state: 'down', checkedAt: now, reason: op.reason } });
        return {};
      }
    }
  }

  private async refreshRunners(): Promise<Record<string, RunnerState>> {
    const storage = this.state.storage;
    const known = (await storage.get<Record<string, RunnerState>>(RUNNERS_KEY)) ?? {};
    const secs = Number(this.env.RUNNER_CHECK_SECS);
    const checked = await refreshStates(parseRunnerList(this.env.RUNNER_URL), known, {
      fetch: (input, init) => fetch(input, init),
      now: Date.now,
      ...(secs > 0 ? { intervalMs: secs * 1000 } : {}),
    });
    // A runner marked down by a failed run while the checks were out keeps that newer state.
    const latest = (await storage.get<Record<string, RunnerState>>(RUNNERS_KEY)) ?? {};
    const states = Object.fromEntries(Object.entries(checked).map(([name, s]) => [name, (latest[name]?.checkedAt ?? 0) > s.checkedAt ? latest[name]! : s]));
    await storage.put(RUNNERS_KEY, states);
    return states;
  }

  /** Deletes what has expired; runs again while anything is left. */
  async alarm(): Promise<void> {
    const storage = this.state.storage;
    const now = Date.now();
    let left = 0;
    let after: string | undefined;
    for (;;) {
      const page = await storage.list<Entry>({ prefix: 'kv:', limit: 1000, ...(after ? { startAfter: after } : {}) });
      for (const [key, entry] of page) {
        if (entry.exp <= now) await storage.delete(key);
        else left++;
        after = key;
      }
      if (page.size < 1000) break;
    }
    if (left > 0) await storage.setAlarm(now + SWEEP_EVERY_MS);
  }
}
