// A live `clinvk serve --port 0` child process for the reliability suite: private home and config,
// the fake CLIs first on PATH, FAKE_LOG collecting every backend process it starts, and helpers to
// talk to each surface and to check that no process is left behind (/proc; zombies count as gone,
// PID 1 here does not reap them).
//
// Faults per request: with `faults: true` the server's PATH starts with small sh wrappers that set
// FAKE_* knobs from markers in the prompt, then `exec` the real fake (same pid, same process group):
//   FAULT=crash → FAKE_FAIL=crash · FAULT=hang → FAKE_HANG=1 · FAULT=garbage → FAKE_GARBAGE=1 ·
//   FAULT=slow → four chunks 250 ms apart (stretched on a loaded machine) · CHILD=<id> → FAKE_SPAWN_CHILD=<home>/child-<id>.pid ·
//   FAULT=stderrflood → not the fake: ~1 MB on stderr ending in `Error: the real reason …`, exit 1
//   (with CHILD=<id>, its pid goes to <home>/run-<id>.pid, as it is not in FAKE_LOG)
// so one server can take a fault and then a normal request, which is the point of the checks.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLINVK, ensureBuilt, FAKES } from '../e2e/cli-helpers.ts';
import { alive, cmdline } from '../fixtures/proc.ts';
import { stretched } from './work-bound.ts';

export type Surface = 'rest' | 'openai' | 'anthropic';
export const SURFACES: Surface[] = ['rest', 'openai', 'anthropic'];

export interface FakeEntry {
  cli: string;
  phase: 'start' | 'end';
  argv: string[];
  pid: number;
  ppid: number;
  at: number;
  exitCode?: number;
}

export interface LiveServer {
  url: string;
  pid: number;
  home: string;
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the server process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resident memory of the server process, in MB. */
  rssMb(): number;
  /** FAKE_LOG entries (every backend process the server started, `--version` probes included). */
  fakeLog(): FakeEntry[];
  /** Pids of the backend runs whose argv contains `marker` (start entries). */
  runPids(marker?: string): number[];
  /** The grandchild pid a FAKE_SPAWN_CHILD run wrote for CHILD=<id>, once it exists. */
  childPid(id: string): number | undefined;
  /** The pid of a FAULT=stderrflood run with CHILD=<id>, once it exists. */
  floodPid(id: string): number | undefined;
}

const started: LiveServer[] = [];

/** Strips FAKE_* and CLINVK_* from the test's own environment, so nothing leaks into the server. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(FAKE_|CLINVK_)/.test(k)) env[k] = v;
  return env;
}

/**
 * FAULT=slow's pause between its four chunks: 250 ms, stretched on a loaded machine (work-bound.ts) so
 * that a run is still going when the test has seen all four of a batch start (their starts spread out
 * there), capped so that the runs still end well within the server's 10 s shutdown grace.
 */
const SLOW_CHUNK_MS = Math.min(stretched(250), 1500);

function writeFaultWrappers(dir: string, home: string): void {
  mkdirSync(dir, { recursive: true });
  for (const cli of ['claude', 'codex', 'gemini']) {
    const file = join(dir, cli);
    writeFileSync(
      file,
      `#!/bin/sh
# Prompt-driven fault knobs for the fake ${cli} (test/reliability/live-server.ts).
id=
for a in "$@"; do
  case "$a" in *FAULT=crash*) export FAKE_FAIL=crash ;; esac
  case "$a" in *FAULT=hang*) export FAKE_HANG=1 ;; esac
  case "$a" in *FAULT=garbage*) export FAKE_GARBAGE=1 ;; esac
  case "$a" in *FAULT=slow*) export FAKE_CHUNKS=4 FAKE_CHUNK_DELAY_MS=${SLOW_CHUNK_MS} ;; esac
  case "$a" in *CHILD=*)
    id=\${a##*CHILD=}
    id=\${id%%[!A-Za-z0-9]*}
    export FAKE_SPAWN_CHILD="${home}/child-$id.pid" ;;
  esac
done
case "$*" in *FAULT=stderrflood*)
  # Not the fake: ~1 MB of noise on stderr, the real reason last, exit 1 as soon as it is written.
  [ -n "$id" ] && echo $$ > "${home}/run-$id.pid"
  exec "${process.execPath}" -e "process.stderr.write('noise from a chatty backend\\n'.repeat(40000) + 'Error: the real reason is the last line\\n', () => process.exit(1))" ;;
esac
exec "${join(FAKES, cli)}" "$@"
`,
    );
    chmodSync(file, 0o755);
  }
}

export async function startLiveServer(opts: { config?: Record<string, unknown>; env?: Record<string, string>; faults?: boolean } = {}): Promise<LiveServer> {
  ensureBuilt();
  const home = mkdtempSync(join(tmpdir(), 'clinvk-reliability-'));
  const logFile = join(home, 'fake.log');
  const configFile = join(home, 'config.yaml');
  // These suites count one backend process per request and find each by the prompt in its argv: the cold
  // path. Live agents (one process for many turns, the prompt on stdin) have their own fault tests
  // (test/node/warm-faults.test.ts, test/e2e/warm-doors.test.ts), so the pool is off here unless asked for.
  const config = { warm: { enabled: false }, ...opts.config };
  writeFileSync(configFile, JSON.stringify(config, null, 2)); // JSON is YAML
  const binDir = join(home, 'bin');
  if (opts.faults) writeFaultWrappers(binDir, home);
  const env: Record<string, string> = {
    ...cleanEnv(),
    HOME: home,
    TMPDIR: home,
    CLINVK_HOME: join(home, '.clinvk'),
    CLINVK_CONFIG: configFile,
    CLINVK_API_KEYS: '',
    PATH: `${opts.faults ? `${binDir}:` : ''}${FAKES}:${process.env.PATH ?? ''}`,
    FAKE_LOG: logFile,
    FAKE_STATE_DIR: join(home, 'fake-state'),
    FAKE_CHUNK_DELAY_MS: '5',
    ...opts.env,
  };
  const proc = spawn(process.execPath, [CLINVK, 'serve', '--port', '0'], { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((r) => proc.once('exit', (code, signal) => r({ code, signal, at: Date.now() })));
  try {
    // ~1 s when quiet (it probes each backend's --version); a busy two-core machine can take far longer.
    await until(() => /backends: /.test(out) || proc.exitCode !== null, 60_000);
  } catch {
    /* reported below */
  }
  const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
  if (!m || !/backends: /.test(out)) {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
    throw new Error(`clinvk serve did not start:\n${out}\n${err}`);
  }
  const readLog = (): FakeEntry[] => {
    if (!existsSync(logFile)) return [];
    const entries: FakeEntry[] = [];
    for (const line of readFileSync(logFile, 'utf8').split('\n')) {
      try {
        if (line.trim()) entries.push(JSON.parse(line) as FakeEntry);
      } catch {
        /* a line being appended right now */
      }
    }
    return entries;
  };
  const server: LiveServer = {
    url: m[1]!,
    pid: proc.pid!,
    home,
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    rssMb: () => {
      const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      if (!kb) throw new Error('no VmRSS for the server');
      return Number(kb[1]) / 1024;
    },
    fakeLog: readLog,
    runPids: (marker) => readLog()
      .filter((e) => e.phase === 'start' && !e.argv.includes('--version') && (marker === undefined || e.argv.some((a) => a.includes(marker))))
      .map((e) => e.pid),
    childPid: (id) => pidIn(join(home, `child-${id}.pid`)),
    floodPid: (id) => pidIn(join(home, `run-${id}.pid`)),
  };
  started.push(server);
  return server;
}

/** afterAll: SIGKILL what is still running (servers, their fakes, recorded grandchildren), remove the homes. */
export async function cleanupServers(): Promise<void> {
  for (const s of started.splice(0)) {
    if (s.proc.exitCode === null && s.proc.signalCode === null) {
      s.proc.kill('SIGKILL');
      await s.exited;
    }
    const pids = [...s.fakeLog().map((e) => e.pid), ...childPidFiles(s.home)];
    for (const pid of new Set(pids)) if (!procGone(pid) && cmdline(pid).includes('node')) killQuietly(pid);
    rmSync(s.home, { recursive: true, force: true });
  }
}

function pidIn(file: string): number | undefined {
  const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  return text ? Number(text) : undefined;
}

function childPidFiles(home: string): number[] {
  return readdirSync(home)
    .filter((f) => /^(child|run)-.*\.pid$/.test(f))
    .map((f) => Number(readFileSync(join(home, f), 'utf8').trim()))
    .filter((n) => n > 0);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

// ---------------------------------------------------------------- processes

/** Gone = no /proc entry, or a zombie. */
export const procGone = (pid: number): boolean => !alive(pid);

export async function until(cond: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not met within ${ms} ms`);
    await sleep(25);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until every pid is gone; the error names the survivors. */
export async function expectAllGone(pids: number[], ms = 5000): Promise<void> {
  try {
    await until(() => pids.every(procGone), ms);
  } catch {
    const left = pids.filter((p) => !procGone(p)).map((p) => `${p} (${cmdline(p)})`);
    throw new Error(`processes still running after ${ms} ms: ${left.join(', ')}`);
  }
}

// ---------------------------------------------------------------- requests

export interface Ask {
  backend: string;
  prompt: string;
  stream: boolean;
  /** REST only: extra body fields (timeout_secs, ephemeral, …). */
  rest?: Record<string, unknown>;
}

export function ask(url: string, surface: Surface, a: Ask, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let path: string;
  let body: Record<string, unknown>;
  const messages = [{ role: 'user', content: a.prompt }];
  switch (surface) {
    case 'rest':
      path = '/api/v1/prompt';
      body = { backend: a.backend, prompt: a.prompt, ephemeral: true, output_format: a.stream ? 'stream-json' : 'json', ...a.rest };
      break;
    case 'openai':
      path = '/openai/v1/chat/completions';
      body = { model: a.backend, stream: a.stream, messages };
      break;
    case 'anthropic':
      path = '/anthropic/v1/messages';
      headers['anthropic-version'] = '2023-06-01';
      body = { model: a.backend, max_tokens: 256, stream: a.stream, messages };
      break;
  }
  return fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
}

export interface SseFrame {
  event?: string;
  data: string;
}

export function parseSse(text: string): SseFrame[] {
  const frames: SseFrame[] = [];
  for (const block of text.split(/\n\n+/)) {
    const lines = block.split('\n').filter((l) => l && !l.startsWith(':'));
    if (lines.length === 0) continue;
    const ev = lines.find((l) => l.startsWith('event: '))?.slice(7);
    const data = lines
      .filter((l) => l.startsWith('data: '))
      .map((l) => l.slice(6))
      .join('\n');
    frames.push({ ...(ev !== undefined ? { event: ev } : {}), data });
  }
  return frames;
}

export const parseNdjson = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { type: string; content?: Record<string, any> })
    .filter((l) => l.type !== 'heartbeat');

/**
 * One answer in a surface-neutral shape, after checking the surface's own format: a stream must end
 * with that surface's terminal frame (done / [DONE] / message_stop) or its error frame, nothing else.
 */
export interface Answer {
  status: number;
  /** The answer text (concatenated deltas when streamed). */
  text: string;
  /** The run's failure as the surface reported it (error frame, error body or REST `error`). */
  error?: { code?: string; type?: string; message: string };
  /** REST only: the result's warnings. */
  warnings?: string[];
  /** How a stream ended: 'done' | 'error'. */
  end?: 'done' | 'error';
  raw: string;
}

export async function readAnswer(surface: Surface, stream: boolean, res: Response): Promise<Answer> {
  return parseAnswer(surface, stream, res.status, res.headers.get('content-type') ?? '', await res.text());
}

/** Reads a body as it arrives: wait for some text to show up, or for the end. */
export function collect(res: Response) {
  let text = '';
  let ended = false;
  const done = (async () => {
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
    }
    ended = true;
    return text;
  })();
  done.catch(() => undefined); // observed by the caller when it matters
  return {
    done,
    text: () => text,
    ended: () => ended,
    waitFor: (re: RegExp, ms = 10_000) => until(() => re.test(text), ms, `stream shows ${re}`),
  };
}

export function parseAnswer(surface: Surface, stream: boolean, status: number, ctype: string, raw: string): Answer {  if (status !== 200) {
    // Not a run: the surface's own error body.
    const body = JSON.parse(raw) as any;
    if (surface === 'rest') {
      expectThat(ctype.startsWith('application/problem+json'), `REST error content-type: ${ctype}`);
      expectThat(body.status === status && typeof body.type === 'string' && typeof body.title === 'string' && typeof body.detail === 'string', `RFC 7807 body: ${raw}`);
      return { status, text: '', error: { code: body.code, type: body.type, message: body.detail }, raw };
    }
    if (surface === 'openai') {
      expectThat(typeof body.error?.message === 'string' && typeof body.error?.type === 'string' && 'param' in body.error && 'code' in body.error, `OpenAI error body: ${raw}`);
      return { status, text: '', error: { code: body.error.code ?? undefined, type: body.error.type, message: body.error.message }, raw };
    }
    expectThat(body.type === 'error' && typeof body.error?.type === 'string' && typeof body.error?.message === 'string', `Anthropic error body: ${raw}`);
    return { status, text: '', error: { type: body.error.type, message: body.error.message }, raw };
  }
  if (!stream) {
    const body = JSON.parse(raw) as any;
    if (surface === 'rest') {
      return { status, text: body.output, warnings: body.warnings, raw, ...(body.error ? { error: { code: body.error.code, message: body.error.message } } : {}) };
    }
    if (surface === 'openai') {
      expectThat(body.object === 'chat.completion' && body.choices?.[0]?.finish_reason === 'stop', `OpenAI completion: ${raw}`);
      return { status, text: body.choices[0].message.content, warnings: body.clinvk?.warnings, raw };
    }
    expectThat(body.type === 'message' && body.stop_reason === 'end_turn' && body.content?.[0]?.type === 'text', `Anthropic message: ${raw}`);
    return { status, text: body.content[0].text, raw };
  }
  if (surface === 'rest') {
    expectThat(ctype.startsWith('application/x-ndjson'), `REST stream content-type: ${ctype}`);
    const lines = parseNdjson(raw);
    expectThat(lines[0]?.type === 'init', `REST stream starts with init: ${raw}`);
    const last = lines.at(-1);
    expectThat(last?.type === 'done', `REST stream ends with done: ${raw}`);
    const err = lines.find((l) => l.type === 'error');
    const text = lines
      .filter((l) => l.type === 'message')
      .map((l) => String(l.content?.text ?? ''))
      .join('');
    expectThat(text === last!.content!.output, `streamed text equals the result's output: ${raw}`);
    return {
      status,
      text,
      warnings: last!.content!.warnings,
      end: err ? 'error' : 'done',
      raw,
      ...(err ? { error: { code: err.content!.code, message: err.content!.message } } : {}),
    };
  }
  expectThat(ctype.startsWith('text/event-stream'), `SSE content-type: ${ctype}`);
  const frames = parseSse(raw);
  if (surface === 'openai') {
    const last = frames.at(-1);
    let text = '';
    for (const f of frames.slice(0, -1)) {
      const d = JSON.parse(f.data) as any;
      expectThat(d.object === 'chat.completion.chunk', `OpenAI chunk before the end: ${f.data}`);
      text += d.choices?.[0]?.delta?.content ?? '';
    }
    if (last?.data === '[DONE]') {
      expectThat(frames.some((f) => f.data !== '[DONE]' && (JSON.parse(f.data) as any).choices?.[0]?.finish_reason === 'stop'), `OpenAI stream has a stop chunk: ${raw}`);
      return { status, text, end: 'done', raw };
    }
    const e = JSON.parse(last?.data ?? '{}') as any;
    expectThat(typeof e.error?.message === 'string' && typeof e.error?.type === 'string', `OpenAI stream ends with [DONE] or an error frame: ${raw}`);
    return { status, text, end: 'error', error: { code: e.error.code ?? undefined, type: e.error.type, message: e.error.message }, raw };
  }
  expectThat(frames[0]?.event === 'message_start', `Anthropic stream starts with message_start: ${raw}`);
  for (const f of frames) expectThat(f.event !== undefined && (JSON.parse(f.data) as any).type === f.event, `Anthropic frame type matches its event: ${f.event} ${f.data}`);
  const text = frames
    .filter((f) => f.event === 'content_block_delta')
    .map((f) => String((JSON.parse(f.data) as any).delta?.text ?? ''))
    .join('');
  const last = frames.at(-1)!;
  if (last.event === 'message_stop') return { status, text, end: 'done', raw };
  const e = JSON.parse(last.data) as any;
  expectThat(last.event === 'error' && typeof e.error?.type === 'string' && typeof e.error?.message === 'string', `Anthropic stream ends with message_stop or error: ${raw}`);
  return { status, text, end: 'error', error: { type: e.error.type, message: e.error.message }, raw };
}

function expectThat(ok: boolean, what: string): void {
  if (!ok) throw new Error(`malformed answer: ${what.slice(0, 2000)}`);
}
