// The few Durable Object shapes the edge uses, typed here rather than pulling in @cloudflare/workers-types
// (whose globals would clash with the DOM/Node fetch types the rest of the project checks against).
export interface DurableStub {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

export interface DurableNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): DurableStub;
}

export interface DurableStorage {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<boolean>;
  list<T>(options?: { prefix?: string; limit?: number; startAfter?: string }): Promise<Map<string, T>>;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number): Promise<void>;
}

export interface DurableState {
  storage: DurableStorage;
}
