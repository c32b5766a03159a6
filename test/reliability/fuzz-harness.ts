// The fuzz pass's machinery (fuzz.test.ts): a seeded PRNG, the whole app in-process on the real
// engine (real backend adapters and argv building, real workdir checks, the real session store on
// disk) with a counting Spawner that starts nothing, and the checks every response must pass.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../handlers/app.ts';
import { defaultConfig, type Config } from '../../runtime/config.ts';
import type { Logger, Runtime, Session, SpawnEvent, SpawnSpec, Spawner } from '../../runtime/contract.ts';
import { memoryMetrics } from '../../runtime/edge-support.ts';
import { createEngine } from '../../runtime/engine.ts';
import { createSessionStore } from '../../runtime/node/sessions.ts';
import { createAttachmentIO } from '../../runtime/node/attachments-io.ts';
import { createMcpHttpHandler } from '../../mcp/http.ts';

// ---------------------------------------------------------------- deterministic randomness

/** mulberry32: tiny, fast, and the same sequence for the same seed on every machine. */
export class Rng {
  private s: number;
  constructor(readonly seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  /** A short string of mixed printable, unicode and control characters (never a NUL unless asked). */
  junk(max = 24, withNul = false): string {
    const alphabet = ['a', 'Z', '9', ' ', '-', '_', '/', '.', '%', '"', '\\', '{', '}', '[', ']', '\n', '\t', '\u00e9', '\u05d0', '\u202e', '\u200b', '\ud83d\ude00', '\u0001', '\u007f', ...(withNul ? ['\u0000'] : [])];
    let s = '';
    for (let i = this.int(0, max); i > 0; i--) s += this.pick(alphabet);
    return s;
  }
}

export const seedFromEnv = (fallback: number): number => {
  const raw = process.env.CLINVK_FUZZ_SEED;
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) ? n >>> 0 : fallback;
};

// ---------------------------------------------------------------- the app on a counting engine

export const BACKEND_LIST = ['claude', 'codex', 'gemini'] as const;

/** What each fake backend prints: the smallest successful run its real parser understands. */
const SCRIPTS: Record<string, (spec: SpawnSpec) => string[]> = {
  claude: () => [
    JSON.stringify({ type: 'system', subtype: 'init', session_id: 'c1a0de00-0000-4000-8000-000000000001', model: 'fake-claude' }),
    JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: 'ok' }] }, session_id: 'c1a0de00-0000-4000-8000-000000000001' }),
    JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: 'ok', session_id: 'c1a0de00-0000-4000-8000-000000000001', usage: { input_tokens: 1, output_tokens: 1 } }),
  ],
  codex: () => [
    JSON.stringify({ type: 'thread.started', thread_id: '0c0de000-0000-4000-8000-000000000002' }),
    JSON.stringify({ type: 'item.completed', item: { id: 'item_1', type: 'agent_message', text: 'ok' } }),
    JSON.stringify({ type: 'turn.completed', usage: { input_tokens: 1, cached_input_tokens: 0, output_tokens: 1 } }),
  ],
  gemini: () => [
    JSON.stringify({ type: 'init', session_id: '9e000000-0000-4000-8000-000000000003', model: 'fake-gemini' }),
    JSON.stringify({ type: 'message', role: 'assistant', content: 'ok', delta: true }),
    JSON.stringify({ type: 'result', status: 'success', stats: {} }),
  ],
};

export interface Spawned {
  spec: SpawnSpec;
  backend: string;
}

/** A Spawner that records every process the engine would start and plays a scripted success. */
export function countingSpawner(spawned: Spawned[]): Spawner {
  return {
    async *spawn(spec: SpawnSpec): AsyncIterable<SpawnEvent> {
      const backend = spec.command.split('/').pop() ?? spec.command;
      spawned.push({ spec, backend });
      yield { type: 'start', pid: 40000 + spawned.length };
      for (const line of SCRIPTS[backend]?.(spec) ?? []) yield { type: 'stdout', line };
      yield { type: 'exit', code: 0, signal: null };
    },
  };
}

/** Keeps error lines (an unexpected error is logged as one), drops the rest. */
function errorLogger(errors: unknown[], bindings: Record<string, unknown> = {}): Logger {
  const none = () => undefined;
  return { debug: none, info: none, warn: none, error: (obj, msg) => void errors.push({ ...bindings, obj, msg }), child: (b) => errorLogger(errors, { ...bindings, ...b }) };
}

export interface Harness {
  app: App;
  spawned: Spawned[];
  /** Error-level log lines (the app logs every 500 it produces as one). */
  errors: unknown[];
  /** An existing, allowed workdir. */
  workdir: string;
  /** A regular file, a symlink to /etc, a directory under the temp root. */
  paths: { file: string; etcLink: string; root: string };
  /** Sessions that exist and can be resumed. */
  sessions: Session[];
  config: Config;
  close(): void;
}

export async function createHarness(server: Partial<Config['server']> = {}): Promise<Harness> {
  const root = mkdtempSync(join(tmpdir(), 'clinvk-fuzz-'));
  const workdir = join(root, 'work');
  mkdirSync(workdir);
  const file = join(root, 'a-file.txt');
  writeFileSync(file, 'not a directory');
  const etcLink = join(root, 'etc-link');
  symlinkSync('/etc', etcLink);

  const config = defaultConfig();
  config.server = { ...config.server, metrics_enabled: true, heartbeat_secs: 0, ...server };
  const spawned: Spawned[] = [];
  const errors: unknown[] = [];
  const log = errorLogger(errors);
  // The session store fsyncs every write: on tmpfs (when there is one) that costs nothing. Workdirs
  // stay under tmpdir: /dev is a blocked prefix.
  const storeRoot = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/clinvk-fuzz-') : root;
  const sessions = createSessionStore({ dir: join(storeRoot, 'sessions'), log });
  const engine = createEngine({
    config,
    spawner: countingSpawner(spawned),
    sessions,
    which: async (command) => `/fake/bin/${command}`,
    realpath: (p) => realpath(p),
    isDirectory: async (p) => (await stat(p)).isDirectory(),
    env: { PATH: '/fake/bin' },
    cwd: workdir,
    log,
    attachments: createAttachmentIO({ dir: root }), // image parts are written (and removed) as in `clinvk serve`
    workdirPolicy: { allowed: config.server.allowed_workdir_prefixes, blocked: config.server.blocked_workdir_prefixes },
  });
  const runtime: Runtime = { run: (inv, signal) => engine.run(inv, signal), backends: () => engine.backends(), sessions, log, metrics: memoryMetrics(), version: '0.0.0-fuzz' };

  const seeded: Session[] = [];
  for (const backend of BACKEND_LIST) {
    seeded.push(await sessions.create({ backend, workingDir: workdir, initialPrompt: 'seed', backendSessionId: `${backend}-native-1`, status: 'completed' }));
  }
  const app = createApp(runtime, {
    config,
    apiKeys: [],
    clientIp: '127.0.0.1',
    mcpFactory: (gated) => createMcpHttpHandler(gated, { defaultBackend: config.default_backend }),
  });
  return { app, spawned, errors, workdir, paths: { file, etcLink, root }, sessions: seeded, config, close: () => {
      rmSync(root, { recursive: true, force: true });
      rmSync(storeRoot, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- response checks

export type Surface = 'rest' | 'openai' | 'anthropic' | 'mcp';

export const surfaceOfPath = (path: string): Surface =>
  path.startsWith('/openai/') ? 'openai' : path.startsWith('/anthropic/') ? 'anthropic' : /^\/mcp(?:[/?]|$)/.test(path) ? 'mcp' : 'rest';

/** Stack frames, source paths with line numbers, module folders: none may reach a client. */
// Linear-time patterns only: bodies can echo megabytes of input.
const LEAKS = [/\n\s+at (?:async )?\S+ \(/, /\n\s+at \S+:\d+:\d+/, /\.(?:ts|mts|js|mjs|cjs):\d+:\d+/, /node_modules/, /file:\/\//, /\bat (?:async )?[\w$.<>]{1,200} \(/];

export function leakIn(text: string): string | undefined {
  for (const re of LEAKS) {
    const m = re.exec(text);
    if (m) return m[0];
  }
  return undefined;
}

/** Reads a body to the end, or until `ms` pass (an open SSE stream), then cancels it. */
export async function readBody(res: Response, ms = 5000): Promise<{ text: string; complete: boolean }> {
  if (!res.body) return { text: '', complete: true };
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let text = '';
  const deadline = Date.now() + ms;
  try {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return { text, complete: false };
      let timer: ReturnType<typeof setTimeout> | undefined;
      const r = await Promise.race([reader.read(), new Promise<'late'>((ok) => (timer = setTimeout(() => ok('late'), left)))]);
      clearTimeout(timer);
      if (r === 'late') return { text, complete: false };
      if (r.done) return { text, complete: true };
      text += dec.decode(r.value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON-RPC messages of an MCP answer, whether it came as JSON or as SSE `data:` lines. */
export function rpcMessages(text: string, contentType: string): unknown[] {
  if (contentType.includes('text/event-stream')) {
    return text
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trim())
      .filter(Boolean)
      .map((l) => JSON.parse(l) as unknown);
  }
  if (!text.trim()) return [];
  const v = JSON.parse(text) as unknown;
  return Array.isArray(v) ? v : [v];
}

/** Why `body` is not an error in `surface`'s own format, or undefined when it is. */
export function errorFormatProblem(surface: Surface, status: number, contentType: string, text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `error body is not JSON: ${JSON.stringify(text.slice(0, 200))}`;
  }
  if (!isObj(body)) return 'error body is not a JSON object';
  const problem = () => {
    if (!contentType.startsWith('application/problem+json')) return `problem content-type is ${contentType}`;
    for (const k of ['type', 'title', 'detail', 'code'] as const) if (typeof body[k] !== 'string') return `problem lacks string ${k}`;
    if (body.status !== status) return `problem status ${String(body.status)} != HTTP ${status}`;
    return undefined;
  };
  switch (surface) {
    case 'rest':
      return problem();
    case 'openai': {
      const e = body.error;
      if (!isObj(e) || typeof e.message !== 'string' || typeof e.type !== 'string' || !('param' in e) || !('code' in e)) return 'not an OpenAI {error:{message,type,param,code}}';
      return undefined;
    }
    case 'anthropic': {
      const e = body.error;
      if (body.type !== 'error' || !isObj(e) || typeof e.type !== 'string' || typeof e.message !== 'string') return 'not an Anthropic {type:"error",error:{type,message}}';
      return undefined;
    }
    case 'mcp': {
      // The middleware (413, 401, 429…) answers /mcp in the REST dialect; the MCP handler in JSON-RPC.
      if (contentType.startsWith('application/problem+json')) return problem();
      const e = body.error;
      if (body.jsonrpc !== '2.0' || !isObj(e) || typeof e.code !== 'number' || typeof e.message !== 'string') return 'not a JSON-RPC error';
      return undefined;
    }
  }
}

/** Turns a case into a short, reproducible description (long strings cut, NULs visible). */
export function describeCase(c: { name: string; method: string; path: string; body?: unknown }): string {
  let body = '';
  if (typeof c.body === 'string') body = c.body;
  else if (c.body !== undefined) {
    try {
      body = JSON.stringify(c.body, (_k, v: unknown) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 60)}…(${v.length} chars)` : v));
    } catch {
      body = String(c.body);
    }
  }
  if (body.length > 600) body = `${body.slice(0, 600)}…(${body.length} chars)`;
  return `${c.name}: ${c.method} ${c.path.length > 200 ? `${c.path.slice(0, 200)}…` : c.path} ${JSON.stringify(body)}`;
}
