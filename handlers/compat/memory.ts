// What the compatible surfaces remember between requests (conversation → session, stored Responses),
// behind one small interface with two keepers: the Node server's in-memory ExpiringMap (one process),
// and the edge's Durable Object (handlers/edge/state-memory.ts), shared by every isolate.
// A keeper may answer synchronously or with a promise; callers always `await`.
export interface KeyValueMemory<V> {
  get(key: string): V | undefined | Promise<V | undefined>;
  set(key: string, value: V): void | Promise<void>;
}
