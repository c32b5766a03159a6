import { describe, expect, it } from 'vitest';
import { collect } from '../../runtime/engine.ts';
import type { RunEvent } from '../../runtime/contract.ts';
import { config, doneOf, ev, events, fakeAdapter, lines, rejection, setup, type Script } from './engine-helpers.ts';

const inv = { backend: 'fake', prompt: 'hello world' };

describe('engine.run: events', () => {
  it('maps backend events to run events in order and ends with one done', async () => {
    const { engine, calls } = setup(
      lines([
        ev({ kind: 'session', id: 'native-1', model: 'm-1' }),
        ev({ kind: 'text', text: 'Hel' }),
        ev({ kind: 'tool_use', id: 't1', name: 'Bash', input: { cmd: 'ls' } }),
        ev({ kind: 'tool_result', id: 't1', output: 'a.txt', isError: false }),
        ev({ kind: 'error', message: 'Reconnecting... 1/5', fatal: false }),
        ev({ kind: 'text', text: 'lo' }),
        ev({ kind: 'warning', message: 'odd line' }),
        ev({ kind: 'final', text: 'Hello (final, ignored)' }),
        ev({ kind: 'usage', usage: { inputTokens: 10, outputTokens: 2 }, scope: 'run' }),
      ]),
    );
    const evs = await events(engine.run(inv));
    expect(evs.map((e) => e.type)).toEqual(['init', 'text', 'tool_use', 'tool_result', 'warning', 'text', 'warning', 'done']);
    expect(evs[0]).toEqual({ type: 'init', backend: 'fake', sessionId: 'abcdef01', backendSessionId: 'native-1', model: 'm-1' });
    expect(evs[2]).toEqual({ type: 'tool_use', id: 't1', name: 'Bash', input: { cmd: 'ls' } });
    const r = doneOf(evs);
    expect(r).toMatchObject({
      backend: 'fake', sessionId: 'abcdef01', backendSessionId: 'native-1', model: 'm-1', output: 'Hello', exitCode: 0,
      usage: { inputTokens: 10, outputTokens: 2, cachedTokens: 0, reasoningTokens: 0 }, warnings: ['Reconnecting... 1/5', 'odd line'],
    });
    expect(r.error).toBeUndefined();
    expect(r.durationMs).toBeGreaterThan(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.spec).toMatchObject({ command: '/usr/bin/fake-bin', cwd: '/home/u/proj', env: { PATH: '/bin', HOME: '/home/u', FAKE_ENV: '1' } });
    expect(calls[0]!.spec.args).toEqual(['-p', '--approval', 'default', '--sandbox', 'default', '--', 'hello world']);
    expect(calls[0]!.spec.stdin).toBeUndefined();
  });

  it('uses the final answer when no text deltas came, and emits it as text', async () => {
    const { engine } = setup(lines([ev({ kind: 'session', id: 'n' }), ev({ kind: 'final', text: 'whole answer' })]));
    const evs = await events(engine.run(inv));
    expect(evs.filter((e) => e.type === 'text')).toEqual([{ type: 'text', text: 'whole answer' }]);
    expect(doneOf(evs).output).toBe('whole answer');
  });

  it('plan warnings follow init; init is sent even when the backend reports no session', async () => {
    const { engine } = setup(lines([ev({ kind: 'text', text: 'x' })]));
    const evs = await events(engine.run({ ...inv, maxTurns: 3, ephemeral: true }));
    expect(evs.slice(0, 3)).toEqual([
      { type: 'init', backend: 'fake' },
      { type: 'warning', message: 'max_turns is not supported by fake' },
      { type: 'text', text: 'x' },
    ]);
    expect(doneOf(evs).warnings).toEqual(['max_turns is not supported by fake']);
  });

  it('yields each text as soon as its line arrives (no buffering until exit)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const script: Script = async function* () {
      yield { type: 'start', pid: 1 };
      yield { type: 'stdout', line: ev({ kind: 'text', text: 'first' }) };
      await gate; // the "process" only goes on once the consumer has seen the first text
      yield { type: 'stdout', line: ev({ kind: 'text', text: 'second' }) };
      yield { type: 'exit', code: 0, signal: null };
    };
    const { engine } = setup(script);
    const seen: string[] = [];
    for await (const e of engine.run(inv)) {
      if (e.type === 'text') {
        seen.push(e.text);
        if (e.text === 'first') release();
      }
    }
    expect(seen).toEqual(['first', 'second']);
  });

  it('collect() returns the result and shows every event', async () => {
    const { engine } = setup(lines([ev({ kind: 'text', text: 'a' }), ev({ kind: 'text', text: 'b' })]));
    const seen: RunEvent['type'][] = [];
    const r = await collect(engine.run(inv), (e) => seen.push(e.type));
    expect(r.output).toBe('ab');
    expect(seen).toEqual(['init', 'text', 'text', 'done']);
  });
});

describe('engine.run: failures end in done with a code', () => {
  const cases: { name: string; script: Script; code: string; exitCode: number; message: RegExp; timeoutMs?: number; idleTimeoutMs?: number }[] = [
    { name: 'timeout', script: lines([], { code: null, signal: 'SIGTERM', reason: 'timeout' }), code: 'TIMEOUT', exitCode: 6, message: /^timed out after 1\.5s$/, timeoutMs: 1500 },
    { name: 'idle', script: lines([], { code: null, signal: 'SIGTERM', reason: 'idle' }), code: 'IDLE_TIMEOUT', exitCode: 6, message: /^no output from fake for 2s$/, idleTimeoutMs: 2000 },
    { name: 'sub-second timeout', script: lines([], { code: null, signal: 'SIGTERM', reason: 'timeout' }), code: 'TIMEOUT', exitCode: 6, message: /^timed out after 10ms$/, timeoutMs: 10 },
    { name: 'aborted', script: lines([], { code: null, signal: 'SIGTERM', reason: 'aborted' }), code: 'CANCELLED', exitCode: 7, message: /cancelled/ },
    { name: 'spawn error', script: lines([], { code: null, spawnError: 'spawn x ENOENT' }), code: 'SPAWN_FAILED', exitCode: 2, message: /^could not start fake \(ENOENT\)$/ },
    {
      name: 'non-zero exit without a reported error',
      script: lines([], { code: 3 }, 'noise\n\x1b[31mreal problem\x1b[0m\n'),
      code: 'BACKEND_FAILED', exitCode: 3, message: /^fake exited with code 3: noise\nreal problem$/,
    },
    { name: 'killed by a signal', script: lines([], { code: null, signal: 'SIGKILL' }), code: 'BACKEND_FAILED', exitCode: 1, message: /killed by SIGKILL/ },
    {
      name: 'fatal error, exit 0',
      script: lines([ev({ kind: 'error', message: 'turn failed', fatal: true })]), code: 'BACKEND_FAILED', exitCode: 1, message: /^turn failed$/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { engine } = setup(c.script);
      const evs = await events(engine.run({ ...inv, ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}), ...(c.idleTimeoutMs ? { idleTimeoutMs: c.idleTimeoutMs } : {}) }));
      expect(evs.filter((e) => e.type === 'done')).toHaveLength(1);
      const r = doneOf(evs);
      expect(r.error?.code).toBe(c.code);
      expect(r.error?.message).toMatch(c.message);
      expect(r.exitCode).toBe(c.exitCode);
    });
  }

  it('spawn error: the resolved binary is in the detail (CLI, log), never in the message (HTTP, MCP)', async () => {
    const r = doneOf(await events(setup(lines([], { code: null, spawnError: 'spawn /usr/bin/fake-bin EACCES' })).engine.run(inv)));
    expect(r.error).toMatchObject({ code: 'SPAWN_FAILED', message: 'could not start fake (EACCES)', detail: '/usr/bin/fake-bin: spawn /usr/bin/fake-bin EACCES' });
  });

  it('auth error: BACKEND_AUTH with the login hint and the backend exit code; stderr tail kept', async () => {
    const { engine } = setup(lines([ev({ kind: 'error', message: 'Not logged in', fatal: true, category: 'auth' })], { code: 41 }, 'e1\ne2\n'));
    const r = doneOf(await events(engine.run(inv)));
    expect(r.error).toEqual({ code: 'BACKEND_AUTH', message: 'Not logged in', hint: 'run fake login' });
    expect(r.exitCode).toBe(41);
    expect(r.stderrTail).toBe('e1\ne2');
  });

  it('rate limit carries retryAfterSeconds; a later specific error beats an earlier generic one', async () => {
    const { engine } = setup(
      lines([ev({ kind: 'error', message: 'failed', fatal: true }), ev({ kind: 'error', message: 'usage limit', fatal: true, category: 'rate_limit', retryAfterSeconds: 60 })], { code: 1 }),
    );
    const r = doneOf(await events(engine.run(inv)));
    expect(r.error).toEqual({ code: 'BACKEND_RATE_LIMITED', message: 'usage limit', retryAfterSeconds: 60 });
  });

  it('parser end() sees the exit code and stderr', async () => {
    const adapter = fakeAdapter('fake', { end: (x) => (x.code === 9 ? [{ kind: 'error', message: `bad: ${x.stderr.trim()}`, fatal: true }] : []) });
    const { engine } = setup(lines([], { code: 9 }, 'why'), { adapters: { fake: adapter } });
    expect(doneOf(await events(engine.run(inv))).error).toEqual({ code: 'BACKEND_FAILED', message: 'bad: why' });
  });

  it('a stderr flood keeps its last 64 KB from a line start, so the message is a whole line', async () => {
    const adapter = fakeAdapter('fake', { end: (x) => (x.code === 9 ? [{ kind: 'error', message: `first: ${x.stderr.split('\n')[0]}`, fatal: true }] : []) });
    const flood = `${'noise line that is long enough\n'.repeat(5000)}Error: the real reason\n`;
    const { engine } = setup(lines([], { code: 9 }, flood), { adapters: { fake: adapter } });
    expect(doneOf(await events(engine.run(inv))).error?.message).toBe('first: noise line that is long enough');
  });

  it('a spawner that throws becomes INTERNAL, still one done', async () => {
    const script: Script = async function* () {
      yield { type: 'start', pid: 1 };
      throw new Error('boom');
    };
    const { engine } = setup(script);
    const evs = await events(engine.run(inv));
    expect(doneOf(evs).error?.code).toBe('INTERNAL');
    expect(evs.filter((e) => e.type === 'done')).toHaveLength(1);
  });
});

describe('engine.run: invalid input throws before anything starts', () => {
  const bad: [string, Parameters<typeof setup>[1], object, string, RegExp][] = [
    ['unknown backend', {}, { backend: 'nope' }, 'UNKNOWN_BACKEND', /known backends: fake, other/],
    ['disabled', { config: config({ backends: { fake: { enabled: false } } }) }, {}, 'BACKEND_UNAVAILABLE', /disabled/],
    ['not installed', { config: config({ backends: { fake: { command: 'missing-bin' } } }) }, {}, 'BACKEND_UNAVAILABLE', /not found on PATH/],
    ['extra flag not allowed', {}, { extra: ['--yolo'] }, 'FLAG_NOT_ALLOWED', /--yolo/],
    ['empty prompt', {}, { prompt: '  ' }, 'INVALID_INPUT', /empty/],
    ['missing workdir', {}, { workdir: '/home/u/missing' }, 'WORKDIR_FORBIDDEN', /does not exist/],
    ['unknown session', {}, { sessionId: 'zz' }, 'SESSION_NOT_FOUND', /zz/],
  ];
  for (const [name, over, patch, code, message] of bad) {
    it(name, async () => {
      const { engine, calls, sessions } = setup(lines([]), over);
      const e = await rejection(events(engine.run({ ...inv, ...patch })));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
      expect(calls).toHaveLength(0);
      expect(sessions.map.size).toBe(0);
    });
  }

  it('not installed carries the install hint', async () => {
    const { engine } = setup(lines([]), { which: async () => undefined });
    expect((await rejection(engine.plan(inv))).hint).toBe('npm i -g fake');
  });
});

describe('engine: config defaults and dry run', () => {
  it('invocation > backends.<name> > unified_flags; aliases, timeouts and extra_flags from config', async () => {
    const cfg = config({
      unified_flags: { approval_mode: 'auto', sandbox_mode: 'read-only', command_timeout_secs: 30, idle_timeout_secs: 5, max_turns: 4 },
      backends: { fake: { model: 'fast', models: { fast: 'fake-mini' }, approval_mode: 'none', system_prompt: 'be brief', allowed_tools: ['Read'], extra_flags: ['--verbose'] } },
    });
    const { engine, calls } = setup(lines([]), { config: cfg });
    const plan = await engine.plan({ ...inv, extra: ['--effort', 'high'] });
    expect(plan).toMatchObject({ backend: 'fake', model: 'fake-mini', timeoutMs: 30_000, idleTimeoutMs: 5000, cwd: '/home/u/proj', binary: '/usr/bin/fake-bin' });
    expect(plan.args).toEqual(['-p', '--model', 'fake-mini', '--system', 'be brief', '--tools', 'Read', '--approval', 'none', '--sandbox', 'read-only', '--verbose', '--effort', 'high', '--', 'hello world']);
    expect(plan.warnings).toEqual(['max_turns is not supported by fake']);
    const p2 = await engine.plan({ ...inv, model: 'exact', approvalMode: 'always', systemPrompt: 'x', timeoutMs: 0 });
    expect(p2.args).toContain('exact');
    expect(p2.args.slice(p2.args.indexOf('--approval'), p2.args.indexOf('--approval') + 2)).toEqual(['--approval', 'always']);
    expect(p2.timeoutMs).toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it('dry run: init + done with the command, exit 0, nothing started or recorded', async () => {
    const { engine, calls, sessions } = setup(lines([]));
    const evs = await events(engine.run({ ...inv, dryRun: true, workdir: '/srv/x' }));
    expect(evs.map((e) => e.type)).toEqual(['init', 'done']);
    const r = doneOf(evs);
    expect(r.exitCode).toBe(0);
    expect(r.command).toEqual({ binary: '/usr/bin/fake-bin', args: ['-p', '--approval', 'default', '--sandbox', 'default', '--', 'hello world'], cwd: '/srv/x' });
    expect(r.sessionId).toBeUndefined();
    expect(calls).toHaveLength(0);
    expect(sessions.map.size).toBe(0);
  });

  it('backends(): availability, reasons, version and default model', async () => {
    const cfg = config({ backends: { other: { enabled: false }, fake: { model: 'm' } } });
    const { engine } = setup(lines([]), { config: cfg, version: async (bin) => `${bin} 1.2.3` });
    expect(await engine.backends()).toEqual([
      { name: 'fake', available: true, enabled: true, command: 'fake-bin', path: '/usr/bin/fake-bin', version: '/usr/bin/fake-bin 1.2.3', defaultModel: 'm' },
      { name: 'other', available: false, enabled: false, command: 'other-bin', path: '/usr/bin/other-bin', reason: 'disabled in the config (backends.other.enabled: false)' },
    ]);
    const { engine: e2 } = setup(lines([]), { which: async () => undefined });
    expect((await e2.backends())[0]).toMatchObject({ available: false, reason: 'fake-bin was not found on PATH. npm i -g fake' });
  });
});
