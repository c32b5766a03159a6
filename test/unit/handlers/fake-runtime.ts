// A Runtime for handler tests: scripted runs that record their Invocation and signal, an in-memory
// session store, in-memory metrics and a logger that keeps its lines.
import { ClinvkError, emptyUsage, type BackendInfo, type Invocation, type Logger, type RunEvent, type RunResult, type Runtime, type Session, type SessionStore } from '../../../runtime/contract.ts';
import { defaultConfig, type Config } from '../../../runtime/config.ts';
import { memoryMetrics } from '../../../runtime/edge-support.ts';
import { createApp, type AppOptions } from '../../../handlers/app.ts';

export interface RunScript {
  chunks?: string[];
  /** Wait before each chunk. */
  delayMs?: number;
  /** Resolves when the test lets the run go on after its first event. */
  gate?: Promise<void>;
  /** The run fails (a done with an error), as a backend failure. */
  error?: RunResult['error'];
  /** Thrown before the first event: input the engine refuses. */
  throws?: unknown;
}

export interface LogLine {
  level: string;
  obj: unknown;
  msg?: string;
}

export function captureLogger(lines: LogLine[] = [], bindings: Record<string, unknown> = {}): Logger & { lines: LogLine[] } {
  const at = (level: string) => (obj: unknown, msg?: string) => lines.push({ level, obj: typeof obj === 'object' && obj ? { ...bindings, ...obj } : obj, ...(msg ? { msg } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => captureLogger(lines, { ...bindings, ...b }) };
}

export function memorySessions(initial: Session[] = []): SessionStore & { all: Session[] } {
  const all = [...initial];
  const find = (id: string) => {
    const hits = all.filter((s) => s.id.startsWith(id));
    if (hits.length === 0) throw new ClinvkError('SESSION_NOT_FOUND', `no session ${id}`);
    if (hits.length > 1) throw new ClinvkError('SESSION_AMBIGUOUS', `${id} matches several sessions`);
    return hits[0]!;
  };
  return {
    all,
    async create(init) {
      const s = session({ ...init, id: Math.random().toString(16).slice(2, 10) });
      all.push(s);
      return s;
    },
    async get(id) {
      return find(id);
    },
    async update(id, mutate) {
      const i = all.indexOf(find(id));
      all[i] = mutate(all[i]!);
      return all[i]!;
    },
    async list(f = {}) {
      const hits = all.filter((s) => (!f.backend || s.backend === f.backend) && (!f.status || s.status === f.status));
      const off = f.offset ?? 0;
      return { sessions: hits.slice(off, off + (f.limit ?? 50)), total: hits.length };
    },
    async delete(id) {
      all.splice(all.indexOf(find(id)), 1);
    },
    async clean() {
      return { deleted: [] };
    },
    async count() {
      return all.length;
    },
  };
}

export function session(over: Partial<Session> = {}): Session {
  return {
    id: 'abc12345',
    backend: 'claude',
    createdAt: '2026-11-01T00:00:00.000Z',
    lastUsed: '2026-11-02T00:00:00.000Z',
    workingDir: '/tmp',
    initialPrompt: 'hi',
    status: 'completed',
    turnCount: 1,
    tokenUsage: emptyUsage(),
    tags: [],
    title: 'hi',
    metadata: {},
    ...over,
  };
}

export const BACKENDS: BackendInfo[] = [
  { name: 'claude', available: true, enabled: true, command: 'claude', version: '2.1.0' },
  { name: 'codex', available: true, enabled: true, command: 'codex' },
  { name: 'gemini', available: false, enabled: true, command: 'gemini', reason: 'gemini is not on PATH' },
];

export interface FakeRuntime extends Runtime {
  calls: { inv: Invocation; signal?: AbortSignal }[];
  logger: ReturnType<typeof captureLogger>;
  sessions: ReturnType<typeof memorySessions>;
}

export function fakeRuntime(script: (inv: Invocation, n: number) => RunScript = () => ({}), opts: { backends?: BackendInfo[]; sessions?: Session[] } = {}): FakeRuntime {
  const calls: FakeRuntime['calls'] = [];
  const logger = captureLogger();
  async function* run(inv: Invocation, signal?: AbortSignal): AsyncIterable<RunEvent> {
    calls.push({ inv, ...(signal ? { signal } : {}) });
    const s = script(inv, calls.length);
    if (s.throws) throw s.throws;
    const sessionId = inv.ephemeral ? undefined : (inv.sessionId ?? `sess${calls.length}`);
    yield { type: 'init', backend: inv.backend, ...(sessionId ? { sessionId } : {}), model: inv.model ?? 'fake-model' };
    if (s.gate) await s.gate;
    const chunks = s.chunks ?? ['Hello', ' world'];
    let out = '';
    let cancelled = false;
    for (const text of chunks) {
      if (s.delayMs) await new Promise((r) => setTimeout(r, s.delayMs));
      if (signal?.aborted) {
        cancelled = true;
        break;
      }
      out += text;
      yield { type: 'text', text };
    }
    const error = cancelled ? { code: 'CANCELLED' as const, message: 'cancelled' } : s.error;
    yield {
      type: 'done',
      result: {
        backend: inv.backend,
        ...(sessionId ? { sessionId } : {}),
        model: inv.model ?? 'fake-model',
        output: out,
        exitCode: error ? 1 : 0,
        durationMs: 7,
        usage: { ...emptyUsage(), inputTokens: 3, outputTokens: 2 },
        warnings: [],
        ...(error ? { error } : {}),
      },
    };
  }
  return {
    run,
    calls,
    logger,
    log: logger,
    backends: async () => opts.backends ?? BACKENDS,
    sessions: memorySessions(opts.sessions),
    metrics: memoryMetrics(),
    version: '9.9.9-test',
  };
}

/** A config with defaults, changed by `server` overrides. */
export function testConfig(server: Partial<Config['server']> = {}): Config {
  const c = defaultConfig();
  c.server = { ...c.server, ...server };
  return c;
}

export function testApp(rt: Runtime, opts: Partial<AppOptions> & { server?: Partial<Config['server']> } = {}) {
  const { server, ...rest } = opts;
  return createApp(rt, { config: testConfig(server), apiKeys: [], clientIp: '127.0.0.1', ...rest });
}

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const url = (path: string) => `http://clinvk.test${path}`;
