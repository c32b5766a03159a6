// The Worker's side of the Durable Object: the KeyValueMemory the compatible surfaces use, the MCP
// session table, and the RunnerHealth the remote runtime routes by. One POST per operation.
import { ClinvkError, type Logger } from '../../runtime/contract.ts';
import { DEFAULT_CHECK_INTERVAL_MS, type RunnerHealth, type RunnerState } from '../../runtime/runner-health.ts';
import type { KeyValueMemory } from '../compat/memory.ts';
import type { DurableNamespace } from './durable-types.ts';
import { STATE_OBJECT_NAME, type StateOp } from './state-protocol.ts';

export interface EdgeMemory<V> extends KeyValueMemory<V> {
  get(key: string): Promise<V | undefined>;
  set(key: string, value: V): Promise<void>;
  /** get, and push the entry's expiry out by its time to live again. */
  touch(key: string): Promise<V | undefined>;
  delete(key: string): Promise<void>;
}

export interface EdgeStateClient {
  memory<V>(prefix: string, ttlMs: number): EdgeMemory<V>;
  health(): RunnerHealth;
}

export function createEdgeStateClient(ns: DurableNamespace, log: Logger, opts: { checkIntervalMs?: number } = {}): EdgeStateClient {
  async function call<T>(op: StateOp): Promise<T> {
    // A stub per call: a stub is cheap, and one kept from another request may be bound to that request.
    const stub = ns.get(ns.idFromName(STATE_OBJECT_NAME));
    const res = await stub.fetch('https://clinvk-edge-state/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(op) });
    const body = (await res.json().catch(() => ({}))) as T & { error?: string };
    if (!res.ok) throw new ClinvkError('SESSION_STORE', 'the edge state (Durable Object) failed', { detail: body.error ?? `status ${res.status}` });
    return body;
  }

  function memory<V>(prefix: string, ttlMs: number): EdgeMemory<V> {
    const key = (k: string) => `${prefix}:${k}`;
    return {
      async get(k) {
        return (await call<{ value?: V }>({ op: 'get', key: key(k) })).value;
      },
      async touch(k) {
        return (await call<{ value?: V }>({ op: 'get', key: key(k), touchMs: ttlMs })).value;
      },
      async set(k, value) {
        try {
          await call({ op: 'set', key: key(k), value, ttlMs });
        } catch (err) {
          // Not remembering costs a follow-up its native session (it is folded instead) or a 404 later;
          // failing the answer the client is already reading would cost more.
          log.warn({ err: String(err), detail: (err as ClinvkError).detail, prefix }, 'the edge state did not store an entry');
        }
      },
      async delete(k) {
        await call({ op: 'delete', key: key(k) });
      },
    };
  }

  function health(): RunnerHealth {
    return {
      retryAfterSeconds: Math.ceil((opts.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS) / 1000),
      async states() {
        try {
          return (await call<{ states: Record<string, RunnerState> }>({ op: 'runners' })).states;
        } catch (err) {
          // Routing without the states (every runner taken as up) beats failing every run with the object.
          log.warn({ err: String(err), detail: (err as ClinvkError).detail }, 'the edge state did not give the runners’ states');
          return {};
        }
      },
      async markDown(name, reason) {
        await call({ op: 'runner-down', name, reason });
      },
    };
  }

  return { memory, health };
}

/**
 * The same memory kept in this isolate only: a Worker run without the Durable Object binding (a quick
 * local try). Bounded like the Node server's maps.
 */
export function isolateMemory<V>(ttlMs: number, maxEntries = 2000, now: () => number = Date.now): EdgeMemory<V> {
  const entries = new Map<string, { v: V; exp: number }>();
  const live = (k: string) => {
    const hit = entries.get(k);
    if (hit && hit.exp <= now()) entries.delete(k);
    return hit && hit.exp > now() ? hit : undefined;
  };
  const put = (k: string, v: V) => {
    entries.delete(k);
    entries.set(k, { v, exp: now() + ttlMs });
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  };
  return {
    async get(k) {
      return live(k)?.v;
    },
    async touch(k) {
      const hit = live(k);
      if (hit) put(k, hit.v);
      return hit?.v;
    },
    async set(k, v) {
      put(k, v);
    },
    async delete(k) {
      entries.delete(k);
    },
  };
}
