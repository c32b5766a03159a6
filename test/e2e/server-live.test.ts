// The live server with the real engine and the fake backend CLIs on PATH: in-process
// (createNodeRuntime + createApp + serve on port 0) and as `node dist/clinvk.cjs serve --port 0`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../handlers/app.ts';
import { defaultConfig, type Config } from '../../runtime/config.ts';
import { createNodeRuntime } from '../../runtime/node/index.ts';
import { serve, type RunningServer } from '../../runtime/node/server.ts';
import { FAKE_KNOBS } from './server-live-knobs.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FAKES = join(ROOT, 'test/fixtures/fake-clis');
const home = mkdtempSync(join(tmpdir(), 'clinvk-server-live-'));
const baseEnv = (extra: Record<string, string> = {}): Record<string, string | undefined> => ({
  ...process.env,
  PATH: `${FAKES}${delimiter}${process.env.PATH ?? ''}`,
  CLINVK_HOME: home,
  CLINVK_CONFIG: join(home, 'config.yaml'),
  CLINVK_API_KEYS: '',
  FAKE_STATE_DIR: join(home, 'fake-state'),
  ...extra,
});

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function live(opts: { env?: Record<string, string>; server?: Partial<Config['server']>; apiKeys?: string[] } = {}) {
  const config = defaultConfig();
  config.server = { ...config.server, ...opts.server };
  const rt = await createNodeRuntime({ env: baseEnv(opts.env), cwd: home, mode: 'server', config });
  const app = createApp(rt, { config, apiKeys: opts.apiKeys ?? [] });
  const server = await serve((req, conn) => app.fetch(req, conn), { host: '127.0.0.1', port: 0, log: rt.log, shutdownGraceMs: 500 });
  servers.push(server);
  return { url: server.url, server, rt };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });

/** Gone = no /proc entry, or a zombie (PID 1 here does not reap). */
const procGone = (pid: number) => {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};
const until = async (cond: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

async function* lines(res: Response) {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) yield JSON.parse(line) as { type: string; content: Record<string, unknown> };
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

describe('live server (in-process) with the fake CLIs', () => {
  it('round-trips a prompt and records the session', async () => {
    const { url } = await live();
    const res = await post(`${url}/api/v1/prompt`, { backend: 'claude', prompt: 'say hello' }, { 'x-request-id': 'live-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('live-1');
    const body = await res.json();
    expect(body).toMatchObject({ backend: 'claude', exit_code: 0 });
    expect(body.output.length).toBeGreaterThan(0);
    const s = await fetch(`${url}/api/v1/sessions/${body.session_id}`);
    expect(await s.json()).toMatchObject({ id: body.session_id, backend: 'claude' });
  });

  it('answers 400 problems for a relative or blocked workdir and an unknown backend', async () => {
    const { url } = await live();
    for (const body of [{ prompt: 'x', workdir: 'relative/dir' }, { prompt: 'x', workdir: '/etc' }, { prompt: 'x', backend: 'nope' }]) {
      const res = await post(`${url}/api/v1/prompt`, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('streams the first NDJSON event before the backend finishes', async () => {
    const { url } = await live({ env: FAKE_KNOBS.slow });
    const t0 = Date.now();
    const res = await post(`${url}/api/v1/prompt`, { backend: 'claude', prompt: 'stream please', output_format: 'stream-json' });
    const seen: { type: string; at: number }[] = [];
    for await (const ev of lines(res)) seen.push({ type: ev.type, at: Date.now() - t0 });
    expect(seen[0]!.type).toBe('init');
    expect(seen.at(-1)!.type).toBe('done');
    // The backend takes FAKE_KNOBS.slowMs in all; the first event must not wait for it.
    expect(seen.at(-1)!.at - seen[0]!.at).toBeGreaterThanOrEqual(FAKE_KNOBS.slowMs / 2);
  });

  it('a client that disconnects mid-stream leaves no backend process behind', async () => {
    const pidFile = join(home, `child-${Date.now()}.pid`);
    const logFile = join(home, `fake-${Date.now()}.log`);
    const { url, server } = await live({ env: FAKE_KNOBS.spawnChild(pidFile, logFile) });
    const ac = new AbortController();
    const res = await post(`${url}/api/v1/prompt`, { backend: 'claude', prompt: 'long one', output_format: 'stream-json', ephemeral: true }, {}, ac.signal);
    const it = lines(res)[Symbol.asyncIterator]();
    await it.next();
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim().length > 0);
    await until(() => existsSync(logFile));
    const fakePid = (JSON.parse(readFileSync(logFile, 'utf8').split('\n')[0]!) as { pid: number }).pid;
    const pids = [fakePid, Number(readFileSync(pidFile, 'utf8').trim())];
    expect(pids.every((p) => !procGone(p))).toBe(true);
    ac.abort();
    await until(() => pids.every(procGone));
    await until(() => server.inFlight === 0);
  });

  it('401, 413 and 429 carry their headers; CORS preflight passes before auth', async () => {
    const { url } = await live({ apiKeys: ['live-key'], server: { rate_limit_enabled: true, rate_limit_burst: 2, rate_limit_rps: 0.01, max_request_body_bytes: 1024 } });
    const unauth = await fetch(`${url}/api/v1/backends`);
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const pre = await fetch(`${url}/api/v1/prompt`, { method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const big = await post(`${url}/api/v1/prompt`, { prompt: 'x'.repeat(2000) }, { authorization: 'Bearer live-key' });
    expect(big.status).toBe(413);
    const auth = { 'x-api-key': 'live-key' };
    expect((await fetch(`${url}/api/v1/backends`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${url}/api/v1/backends`, { headers: auth })).status).toBe(200);
    const third = await fetch(`${url}/api/v1/backends`, { headers: auth });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(third.headers.get('ratelimit-limit')).toBe('2');
    expect(third.headers.get('ratelimit-remaining')).toBe('0');
  });
});

describe('`clinvk serve` (built CLI)', () => {
  const bin = join(ROOT, 'dist/clinvk.cjs');
  // Every server a test started, so none outlives the file: one that failed to start in time, or a
  // test that failed before its SIGTERM, was left running for hours when only the last was kept.
  const started = new Set<ChildProcess>();
  beforeAll(() => {
    if (!existsSync(bin)) throw new Error('dist/clinvk.cjs is missing: run `npm run build` first');
  });
  afterAll(() => {
    for (const proc of started) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });

  async function startCli(env: Record<string, string> = {}) {
    const proc = spawn(process.execPath, [bin, 'serve', '--port', '0'], { env: baseEnv(env), cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
    started.add(proc);
    let out = '';
    let err = '';
    proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    // ~1 s when quiet (it probes each backend's --version); a hang guard, not a speed check: a CI
    // run at load ~20 on two cores saw it take over 10 s.
    await until(() => /backends: /.test(out), 45_000).catch(() => {
      proc.kill('SIGKILL');
      throw new Error(`serve did not start:\n${out}\n${err}`);
    });
    // 'close', not 'exit': 'exit' can come before the last of stderr is read, and the tests read the server's last log lines.
    const exited = new Promise<number | null>((r) => proc.once('close', (code) => r(code)));
    return { proc, out, url: /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!, exited, stderr: () => err };
  }

  it('prints its URL for --port 0, serves a prompt, and exits 0 on SIGTERM', async () => {
    const { proc, out, url, exited } = await startCli();
    expect(out).toMatch(/API keys: off/);
    expect(out).toMatch(/claude \(available\)/);
    const res = await post(`${url}/api/v1/prompt`, { backend: 'claude', prompt: 'hi', ephemeral: true });
    expect((await res.json()).exit_code).toBe(0);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('on SIGTERM lets a run in flight finish, then exits 0', async () => {
    const calls = join(mkdtempSync(join(home, 'slow-')), 'fake-calls.log');
    const { proc, url, exited, stderr } = await startCli({ FAKE_CHUNK_DELAY_MS: '200', FAKE_CHUNKS: '3', FAKE_LOG: calls });
    const pending = post(`${url}/api/v1/prompt`, { backend: 'claude', prompt: 'slow answer', ephemeral: true }).then((r) => r.json());
    // SIGTERM once the run's claude has started (a fixed nap could come before the request on a loaded machine).
    await until(() => existsSync(calls) && readFileSync(calls, 'utf8').includes('slow answer'), 30_000);
    proc.kill('SIGTERM');
    expect(await pending).toMatchObject({ exit_code: 0 });
    expect(await exited).toBe(0);
    expect(stderr()).toMatch(/shutting down/);
  });

  it('server.shutdown_grace_secs: a run still going when the grace is over is cancelled, then exit 0', async () => {
    const dir = mkdtempSync(join(home, 'grace-'));
    const config = join(dir, 'config.yaml');
    const calls = join(dir, 'fake-calls.log');
    writeFileSync(config, 'server:\n  shutdown_grace_secs: 1\n');
    const { proc, url, exited, stderr } = await startCli({ CLINVK_CONFIG: config, FAKE_LOG: calls });
    const pending = post(`${url}/api/v1/prompt`, { backend: 'claude', prompt: 'never ends [[fake:hang]]', ephemeral: true }).then((r) => r.json());
    // The run's claude has started (serve's own --version probes are in the log too).
    await until(() => existsSync(calls) && readFileSync(calls, 'utf8').includes('never ends'), 30_000);
    proc.kill('SIGTERM');
    expect(await pending).toMatchObject({ error: { code: 'CANCELLED' } });
    expect(await exited).toBe(0);
    expect(stderr()).toMatch(/runs in flight get 1s to finish/);
    // The server's own log: the grace it waited was the configured one, and it was over.
    expect(stderr()).toMatch(/"grace_ms":1000/);
    expect(stderr()).toMatch(/grace period over, cancelling the runs still going/);
  });
});
