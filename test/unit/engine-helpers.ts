// Fakes for the engine's ports: a scripted spawner, an adapter whose stdout lines are BackendEvents
// as JSON, and an in-memory session store.
import { ClinvkError, emptyUsage, type NewSession, type RunEvent, type Session, type SessionStore, type SpawnEvent, type SpawnSpec } from '../../runtime/contract.ts';
import { configSchema, type Config } from '../../runtime/config.ts';
import type { BackendAdapter, BackendEvent } from '../../runtime/backends/types.ts';
import { createEngine, type EngineDeps } from '../../runtime/engine.ts';

export type Script = (spec: SpawnSpec, signal?: AbortSignal) => AsyncIterable<SpawnEvent>;
export type Exit = Extract<SpawnEvent, { type: 'exit' }>;

export const ev = (e: BackendEvent): string => JSON.stringify(e);

/** start, the stdout lines, optional stderr, then the exit. */
export function lines(out: string[], exit: Partial<Exit> = {}, stderr?: string): Script {
  return async function* () {
    yield { type: 'start', pid: 4242 };
    for (const line of out) yield { type: 'stdout', line };
    if (stderr) yield { type: 'stderr', chunk: stderr };
    yield { type: 'exit', code: 0, signal: null, ...exit };
  };
}

/** Prints the lines, then runs until aborted (records whether it was stopped). */
export function hang(out: string[], state: { stopped?: boolean; aborted?: boolean }): Script {
  return async function* (_spec, signal) {
    try {
      yield { type: 'start', pid: 4242 };
      for (const line of out) yield { type: 'stdout', line };
      await new Promise<void>((r) => (signal?.aborted ? r() : signal?.addEventListener('abort', () => r(), { once: true })));
      state.aborted = true;
      yield { type: 'exit', code: null, signal: 'SIGTERM', reason: 'aborted' };
    } finally {
      state.stopped = true;
    }
  };
}

export function fakeAdapter(name: string, opts: { end?: (exit: { code: number | null; stderr: string }) => BackendEvent[] } = {}): BackendAdapter {
  return {
    name,
    binary: `${name}-bin`,
    displayName: `Fake ${name}`,
    installHint: `npm i -g ${name}`,
    loginHint: `run ${name} login`,
    versionArgs: ['--version'],
    extraAllowList: { '--verbose': 0, '--effort': 1, '--add-dir': 1, '--include-directories': 1 },
    buildArgs(req) {
      const args = ['-p'];
      const warnings: string[] = [];
      if (req.model) args.push('--model', req.model);
      if (req.resumeId) args.push('--resume', req.resumeId);
      if (req.systemPrompt) args.push('--system', req.systemPrompt);
      if (req.allowedTools) args.push('--tools', req.allowedTools.join(','));
      args.push('--approval', req.approvalMode, '--sandbox', req.sandboxMode);
      if (req.maxTurns !== undefined) warnings.push('max_turns is not supported by fake');
      if (req.ephemeral) args.push('--ephemeral');
      args.push(...req.extra, '--', req.prompt);
      return { args, warnings, env: { FAKE_ENV: '1' } };
    },
    createParser() {
      return {
        line: (l) => [JSON.parse(l) as BackendEvent],
        end: (exit) => opts.end?.(exit) ?? [],
      };
    },
  };
}

export function memoryStore(): SessionStore & { map: Map<string, Session>; failUpdate?: boolean; updates: number } {
  let n = 0;
  const map = new Map<string, Session>();
  const store = {
    map,
    updates: 0,
    failUpdate: false as boolean | undefined,
    async create(init: NewSession) {
      const id = `abcdef${String(++n).padStart(2, '0')}`;
      const s: Session = {
        id, createdAt: 'c', lastUsed: 'c', tokenUsage: emptyUsage(), turnCount: 0, status: 'active', tags: [], title: '', metadata: {},
        ...init,
      };
      map.set(id, s);
      return s;
    },
    async get(idOrPrefix: string) {
      const hits = [...map.values()].filter((s) => s.id.startsWith(idOrPrefix));
      if (hits.length === 0) throw new ClinvkError('SESSION_NOT_FOUND', `no session ${idOrPrefix}`);
      if (hits.length > 1) throw new ClinvkError('SESSION_AMBIGUOUS', `ambiguous ${idOrPrefix}`);
      return hits[0]!;
    },
    async update(id: string, mutate: (s: Session) => Session) {
      store.updates++;
      if (store.failUpdate) throw new ClinvkError('SESSION_STORE', 'disk full');
      const s = mutate(structuredClone(map.get(id)!));
      map.set(id, s);
      return s;
    },
    async list() {
      return { sessions: [...map.values()], total: map.size };
    },
    async delete(id: string) {
      map.delete(id);
    },
    async clean() {
      return { deleted: [] };
    },
    async count() {
      return map.size;
    },
  };
  return store;
}

export const config = (raw: unknown = {}): Config => configSchema.parse(raw);

export function setup(script: Script, over: Partial<EngineDeps> = {}) {
  const sessions = memoryStore();
  const calls: { spec: SpawnSpec; signal?: AbortSignal | undefined }[] = [];
  const links: Record<string, string> = { '/home/u/link': '/etc/secret', '/srv/allowed/link': '/srv/other' };
  let t = 1000;
  const deps: EngineDeps = {
    config: config(),
    spawner: {
      spawn(spec, signal) {
        calls.push({ spec, signal });
        return script(spec, signal);
      },
    },
    sessions,
    which: async (c) => (c === 'missing-bin' ? undefined : `/usr/bin/${c}`),
    realpath: async (p) => {
      if (p.includes('missing')) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return links[p] ?? (p.length > 1 ? p.replace(/\/+$/, '') : p);
    },
    env: { PATH: '/bin', HOME: '/home/u' },
    cwd: '/home/u/proj',
    adapters: { fake: fakeAdapter('fake'), other: fakeAdapter('other') },
    now: () => (t += 10),
    ...over,
  };
  return { engine: createEngine(deps), sessions, calls, deps };
}

export async function events(it: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

export const doneOf = (evs: RunEvent[]) => {
  const last = evs.at(-1);
  if (last?.type !== 'done') throw new Error(`last event is ${last?.type}`);
  return last.result;
};

export async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string; hint?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string; hint?: string };
  }
  throw new Error('expected a rejection');
}
