// An in-memory Durable Object namespace for unit tests: one EdgeState over a Map, reached through
// `stub.fetch` as the Worker reaches the real one.
import type { DurableNamespace, DurableStorage } from '../../../handlers/edge/durable-types.ts';
import { EdgeState, type StateObjectEnv } from '../../../handlers/edge/state-object.ts';

export function memoryStorage(): DurableStorage & { data: Map<string, unknown>; alarm: number | null } {
  const data = new Map<string, unknown>();
  const store = {
    data,
    alarm: null as number | null,
    async get<T>(key: string) {
      return structuredClone(data.get(key)) as T | undefined;
    },
    async put<T>(key: string, value: T) {
      data.set(key, structuredClone(value));
    },
    async delete(key: string) {
      return data.delete(key);
    },
    async list<T>(opts: { prefix?: string; limit?: number; startAfter?: string } = {}) {
      const keys = [...data.keys()].filter((k) => k.startsWith(opts.prefix ?? '') && (!opts.startAfter || k > opts.startAfter)).sort();
      return new Map(keys.slice(0, opts.limit ?? keys.length).map((k) => [k, data.get(k) as T]));
    },
    async getAlarm() {
      return store.alarm;
    },
    async setAlarm(t: number) {
      store.alarm = t;
    },
  };
  return store;
}

/** A namespace whose one object survives as long as `storage` does (a new EdgeState per call, as after an eviction). */
export function fakeNamespace(env: StateObjectEnv, storage = memoryStorage()): DurableNamespace & { storage: typeof storage; calls: number } {
  const ns = {
    storage,
    calls: 0,
    idFromName: (name: string) => name,
    get: () => ({
      fetch: async (input: string, init?: RequestInit) => {
        ns.calls++;
        return new EdgeState({ storage }, env).fetch(new Request(input, init));
      },
    }),
  };
  return ns;
}
