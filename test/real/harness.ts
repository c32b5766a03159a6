// The real-CLI suite's harness: the real claude / codex / gemini, run offline against our loopback
// model-API mocks (test/real/mocks/), through clinvk's doors. Small on purpose; reuse it for new
// real-CLI tests.
//
//   const cli = realClis();                       // paths of the installed CLIs (missing ones: undefined)
//   describe.skipIf(skipUnless('claude'))(…)      // skips with one clear line when a CLI is absent
//   itNeeds('codex')('…', async () => …)          // a test run concurrently, skipped when codex is absent
//   const mocks = await startMocks();              // { anthropic, responses, gemini }: url, requests[], close()
//   const sb = sandbox(mocks);                     // scratch HOME + workdir (a git repo) + the env that points
//                                                  //   every CLI at its mock, the real CLIs first on PATH
//   await run('claude', ['-p', 'hi'], { env: sb.env, cwd: sb.workdir })       // any command; never throws
//   await clinvk(['-b', 'codex', 'hi'], sb)        // the built dist/clinvk.cjs in that sandbox
//   const srv = await serve(sb, { apiKey: 'k' })   // `clinvk serve --port 0`: srv.url, srv.stop()
//   const broken = renamedFlag(sb, 'claude', '--output-format', '--output-fmt') // a sandbox whose claude
//                                                  //   gets that flag renamed (the test of the test)
//   await stopMocks(mocks)
//   const ctx = realSandbox({ apiKey: 'k' })      // the above for a describe block: mocks, sandbox and (with
//                                                  //   serve options) a server, started in beforeAll, stopped after
//
// Where the CLIs are: $CLINVK_REAL_CLIS_DIR, else .cache/real-clis (a folder with node_modules/.bin),
// installed by `node scripts/real-clis.mjs` from test/real/versions.json (`npm run test:real` does it).
// Directives a prompt can carry for the mocks (USE_TOOL:, MOCK_STATUS:, MOCK_LONG:, ECHO:) are in mocks/common.ts.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { startAnthropicMock } from './mocks/anthropic.ts';
import { startGeminiMock } from './mocks/gemini.ts';
import { startResponsesMock } from './mocks/responses.ts';
import type { Mock } from './mocks/common.ts';

export type CliName = 'claude' | 'codex' | 'gemini';
export const CLI_NAMES: CliName[] = ['claude', 'codex', 'gemini'];

export const REAL_CLIS_DIR = resolve(process.env.CLINVK_REAL_CLIS_DIR || '.cache/real-clis');
export const REAL_BIN = join(REAL_CLIS_DIR, 'node_modules', '.bin');
export const CLINVK = resolve('dist/clinvk.cjs');

/** The installed real CLIs (a missing one is undefined). */
export function realClis(): Record<CliName, string | undefined> {
  const out = {} as Record<CliName, string | undefined>;
  for (const n of CLI_NAMES) out[n] = existsSync(join(REAL_BIN, n)) ? join(REAL_BIN, n) : undefined;
  return out;
}

const announced = new Set<string>();
/** For describe.skipIf: true (and one line on stderr saying why) when a named CLI is not installed. */
export function skipUnless(...names: CliName[]): boolean {
  const missing = names.filter((n) => !realClis()[n]);
  if (!missing.length) return false;
  const line = `real-CLI suite: skipping tests that need ${missing.join(', ')}: not found in ${REAL_BIN} (npm run test:real installs them)`;
  if (!announced.has(line)) process.stderr.write(`${line}\n`);
  announced.add(line);
  return true;
}

/** `it.concurrent`, or `it.skip` (with skipUnless's line) when a named CLI is not installed. */
export const itNeeds = (...names: CliName[]) => (skipUnless(...names) ? it.skip : it.concurrent);

export interface Mocks {
  anthropic: Mock;
  responses: Mock;
  gemini: Mock;
}

export async function startMocks(): Promise<Mocks> {
  const [anthropic, responses, gemini] = await Promise.all([startAnthropicMock(), startResponsesMock(), startGeminiMock()]);
  return { anthropic, responses, gemini };
}

export const stopMocks = (m: Mocks | undefined) => Promise.all(m ? [m.anthropic.close(), m.responses.close(), m.gemini.close()] : []);

export interface Sandbox {
  home: string;
  /** An empty git repository to run the agents in. */
  workdir: string;
  env: Record<string, string>;
}

/**
 * A scratch HOME with each CLI's offline config, and an environment with nothing from ours but the
 * basics: claude → ANTHROPIC_BASE_URL, codex → a `mock` provider in $CODEX_HOME/config.toml
 * (wire_api = "responses"), gemini → GOOGLE_GEMINI_BASE_URL and API-key auth in settings.json.
 */
export function sandbox(mocks: Mocks, extra: Record<string, string> = {}, root = tmpdir()): Sandbox {
  const home = mkdtempSync(join(root, 'clinvk-real-'));
  const workdir = join(home, 'work');
  mkdirSync(workdir);
  spawnSync('git', ['init', '-q'], { cwd: workdir });
  mkdirSync(join(home, '.codex'));
  writeFileSync(
    join(home, '.codex', 'config.toml'),
    ['model = "gpt-mock-1"', 'model_provider = "mock"', '[model_providers.mock]', 'name = "Mock"', `base_url = "${mocks.responses.url}/v1"`, 'env_key = "MOCK_API_KEY"', 'wire_api = "responses"', ''].join('\n'),
  );
  mkdirSync(join(home, '.gemini'));
  writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }));
  const env: Record<string, string> = {
    PATH: [REAL_BIN, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    HOME: home,
    TMPDIR: home,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    CLINVK_HOME: join(home, '.clinvk'),
    ANTHROPIC_BASE_URL: mocks.anthropic.url,
    ANTHROPIC_API_KEY: 'sk-ant-mock',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    CODEX_HOME: join(home, '.codex'),
    MOCK_API_KEY: 'sk-mock',
    GOOGLE_GEMINI_BASE_URL: mocks.gemini.url,
    GEMINI_API_KEY: 'mock',
    ...extra,
  };
  return { home, workdir, env };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed, with its group, after timeoutMs). Never throws. */
export function run(cmd: string, args: string[], opts: { env: Record<string, string>; cwd: string; input?: string; timeoutMs?: number }): Promise<Ran> {
  return new Promise((res) => {
    const child = spawn(cmd, args, { env: opts.env, cwd: opts.cwd, detached: true, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Ran = { code: null, stdout: '', stderr: '' };
    child.stdout!.on('data', (d: Buffer) => (out.stdout += d));
    child.stderr!.on('data', (d: Buffer) => (out.stderr += d));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    const timer = setTimeout(() => {
      out.stderr += `\n[harness: killed after ${opts.timeoutMs ?? 90_000} ms]`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    }, opts.timeoutMs ?? 90_000);
    child.on('error', (e) => (out.stderr += String(e)));
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ ...out, code });
    });
  });
}

/**
 * Builds dist/ when it is missing (a bare `npx vitest -c test/real/vitest.config.ts`). Only then: after a
 * change to clinvk, `npm run build` (or `npm run test:real`, which always builds) before running again.
 */
export function ensureBuilt(): void {
  if (!existsSync(CLINVK)) spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}

/** The built clinvk, in the sandbox's workdir and environment. */
export const clinvk = (args: string[], sb: Sandbox, opts: { input?: string; timeoutMs?: number } = {}) =>
  run(process.execPath, [CLINVK, ...args], { env: sb.env, cwd: sb.workdir, ...opts });

export interface Served {
  url: string;
  stop(): Promise<void>;
}

/** `clinvk serve --port 0` in the sandbox (with CLINVK_API_KEYS when apiKey is given). */
export function serve(sb: Sandbox, opts: { apiKey?: string } = {}): Promise<Served> {
  const env = { ...sb.env, ...(opts.apiKey ? { CLINVK_API_KEYS: opts.apiKey } : {}) };
  const child = spawn(process.execPath, [CLINVK, 'serve', '--port', '0'], { env, cwd: sb.workdir, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  return new Promise((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m)
        res({
          url: m[1]!,
          stop: () =>
            new Promise<void>((r) => {
              if (child.exitCode !== null) return r();
              child.once('exit', () => r());
              child.kill('SIGTERM');
            }),
        });
    });
    child.once('exit', (code) => rej(new Error(`clinvk serve exited ${code}: ${err}`)));
  });
}

/**
 * The sandbox with `cli` replaced by a wrapper that renames one flag before running the real CLI: what
 * clinvk's argv looks like to a CLI release that renamed that flag. The suite must then fail.
 */
export function renamedFlag(sb: Sandbox, cli: CliName, from: string, to: string): Sandbox {
  const bin = mkdtempSync(join(sb.home, `renamed-${cli}-`));
  const script = [
    '#!/usr/bin/env node',
    `const [from, to, real] = ${JSON.stringify([from, to, join(REAL_BIN, cli)])};`,
    "const args = process.argv.slice(2).map((a) => (a === from ? to : a.startsWith(from + '=') ? to + a.slice(from.length) : a));",
    "const child = require('node:child_process').spawn(real, args, { stdio: 'inherit' });",
    'child.on(\'exit\', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));',
    '',
  ].join('\n');
  writeFileSync(join(bin, cli), script);
  chmodSync(join(bin, cli), 0o755);
  return { ...sb, env: { ...sb.env, PATH: `${bin}:${sb.env.PATH}` } };
}

export interface RealSandbox {
  mocks: Mocks;
  sb: Sandbox;
  /** Set when realSandbox was given server options. */
  srv: Served;
}

/**
 * The usual set-up of a describe block: the mocks, a sandbox and, with `server` options, a live
 * `clinvk serve` in it; started in beforeAll, stopped in afterAll. Read the fields inside tests.
 */
export function realSandbox(server?: { apiKey?: string }): RealSandbox {
  const ctx = {} as RealSandbox;
  beforeAll(async () => {
    ensureBuilt();
    ctx.mocks = await startMocks();
    ctx.sb = sandbox(ctx.mocks);
    if (server) ctx.srv = await serve(ctx.sb, server);
  });
  afterAll(async () => {
    await ctx.srv?.stop();
    await stopMocks(ctx.mocks);
  });
  return ctx;
}
