import { describe, expect, it } from 'vitest';
import { emptyUsage, type RunEvent, type Session } from '../../runtime/contract.ts';
import { config, doneOf, ev, events, hang, lines, rejection, setup, type Script } from './engine-helpers.ts';

const inv = { backend: 'fake', prompt: 'Fix the bug\nin the parser' };

/** Adds a finished, resumable session to the store. */
function seed(store: ReturnType<typeof setup>['sessions'], over: Partial<Session> = {}): Session {
  const s: Session = {
    id: 'feed1234', backend: 'other', createdAt: 'c', lastUsed: 'c', workingDir: '/srv/repo', backendSessionId: 'native-old',
    initialPrompt: 'p', status: 'completed', turnCount: 2, tokenUsage: emptyUsage(), tags: [], title: 't', metadata: {}, ...over,
  };
  store.map.set(s.id, s);
  return s;
}

describe('engine: sessions', () => {
  it('records an active session while the backend starts, before its first event; updates it once at the end', async () => {
    let spawned = false;
    const { engine, sessions } = setup(
      (spec, signal) => {
        spawned = true;
        return lines([ev({ kind: 'session', id: 'native-1', model: 'm-9' }), ev({ kind: 'text', text: 'ok' })])(spec, signal);
      },
      { config: config({ session: { default_tags: ['team'] } }) },
    );
    const seen: RunEvent[] = [];
    let statusAtInit: string | undefined;
    for await (const e of engine.run({ ...inv, metadata: { k: 'v' }, parentId: 'par' })) {
      if (e.type === 'init') statusAtInit = sessions.map.get(e.sessionId!)?.status;
      seen.push(e);
    }
    expect(spawned).toBe(true);
    expect(statusAtInit).toBe('active');
    const r = doneOf(seen);
    expect(seen[0]).toMatchObject({ type: 'init', sessionId: r.sessionId });
    expect(sessions.updates).toBe(1);
    const s = sessions.map.get(r.sessionId!)!;
    expect(s).toMatchObject({
      backend: 'fake', workingDir: '/home/u/proj', initialPrompt: inv.prompt, title: 'Fix the bug', tags: ['team'], metadata: { k: 'v' }, parentId: 'par',
      status: 'completed', turnCount: 1, backendSessionId: 'native-1', model: 'm-9',
    });
    expect(s.errorMessage).toBeUndefined();
    expect(s.lastUsed).not.toBe('c');
  });

  it('the backend is started before the session write, not after it', async () => {
    const { engine, sessions, calls } = setup(lines([ev({ kind: 'text', text: 'ok' })]));
    const create = sessions.create.bind(sessions);
    let startedBeforeWrite: boolean | undefined;
    sessions.create = async (init) => {
      startedBeforeWrite = calls.length === 1;
      await new Promise((r) => setTimeout(r, 20)); // a slow disk
      return create(init);
    };
    const seen = await events(engine.run(inv));
    expect(startedBeforeWrite).toBe(true);
    expect(seen[0]).toMatchObject({ type: 'init', sessionId: doneOf(seen).sessionId });
    expect(sessions.map.get(doneOf(seen).sessionId!)).toMatchObject({ status: 'completed', turnCount: 1 });
  });

  it('a process runner that throws while the session is being written ends the run with INTERNAL, recorded', async () => {
    const { engine, sessions } = setup(async function* () {
      throw new Error('runner broke');
    });
    const create = sessions.create.bind(sessions);
    sessions.create = async (init) => {
      await new Promise((r) => setTimeout(r, 20)); // the runner fails first
      return create(init);
    };
    const r = doneOf(await events(engine.run(inv)));
    expect(r.error).toMatchObject({ code: 'INTERNAL', message: 'internal error while running fake', detail: expect.stringContaining('runner broke') });
    expect(sessions.map.get(r.sessionId!)).toMatchObject({ status: 'error' });
  });

  it('a failed run marks the session error with the message', async () => {
    const { engine, sessions } = setup(lines([ev({ kind: 'session', id: 'n' })], { code: 2 }, 'bad flag'));
    const r = doneOf(await events(engine.run(inv)));
    expect(sessions.map.get(r.sessionId!)).toMatchObject({ status: 'error', errorMessage: 'fake exited with code 2: bad flag', turnCount: 1, backendSessionId: 'n' });
  });

  it('ephemeral runs record nothing and are told so', async () => {
    const { engine, sessions, calls } = setup(lines([ev({ kind: 'text', text: 'x' })]));
    const r = doneOf(await events(engine.run({ ...inv, ephemeral: true })));
    expect(r.sessionId).toBeUndefined();
    expect(sessions.map.size).toBe(0);
    expect(calls[0]!.spec.args).toContain('--ephemeral');
  });

  it('a store that fails on update gives a warning, not a crash', async () => {
    const { engine, sessions } = setup(lines([ev({ kind: 'text', text: 'x' })]));
    sessions.failUpdate = true;
    const evs = await events(engine.run(inv));
    const r = doneOf(evs);
    expect(r.error).toBeUndefined();
    expect(r.output).toBe('x');
    expect(r.warnings).toEqual([expect.stringContaining('could not be updated: disk full')]);
    expect(evs.filter((e) => e.type === 'warning')).toHaveLength(1);
  });

  it('resume: prefix lookup, the session backend and workdir win, native id passed', async () => {
    const { engine, sessions, calls } = setup(lines([ev({ kind: 'session', id: 'native-old' }), ev({ kind: 'text', text: 'again' })]));
    seed(sessions);
    const r = doneOf(await events(engine.run({ ...inv, sessionId: 'feed' })));
    expect(r).toMatchObject({ sessionId: 'feed1234', backend: 'other', backendSessionId: 'native-old' });
    expect(calls[0]!.spec.cwd).toBe('/srv/repo');
    expect(calls[0]!.spec.command).toBe('/usr/bin/other-bin');
    expect(calls[0]!.spec.args).toEqual(expect.arrayContaining(['--resume', 'native-old']));
    expect(sessions.map.get('feed1234')).toMatchObject({ turnCount: 3, status: 'completed' });
    expect(sessions.map.size).toBe(1);
    // an explicit workdir still beats the session's
    await events(engine.run({ ...inv, sessionId: 'feed', workdir: '/tmp/w' }));
    expect(calls[1]!.spec.cwd).toBe('/tmp/w');
  });

  it('resume of a session without a native id is SESSION_NOT_RESUMABLE', async () => {
    const { engine, sessions, calls } = setup(lines([]));
    seed(sessions, { backendSessionId: undefined });
    expect((await rejection(events(engine.run({ ...inv, sessionId: 'feed1234' })))).code).toBe('SESSION_NOT_RESUMABLE');
    expect(calls).toHaveLength(0);
  });
});

describe('engine: usage accounting', () => {
  it("scope 'run': the run's usage; the session total adds up", async () => {
    const { engine, sessions } = setup(lines([ev({ kind: 'session', id: 'native-old' }), ev({ kind: 'usage', usage: { inputTokens: 5, outputTokens: 2, cachedTokens: 1 }, scope: 'run' })]));
    seed(sessions, { tokenUsage: { inputTokens: 100, outputTokens: 10, cachedTokens: 0, reasoningTokens: 3 } });
    const r = doneOf(await events(engine.run({ ...inv, sessionId: 'feed' })));
    expect(r.usage).toEqual({ inputTokens: 5, outputTokens: 2, cachedTokens: 1, reasoningTokens: 0 });
    expect(sessions.map.get('feed1234')!.tokenUsage).toEqual({ inputTokens: 105, outputTokens: 12, cachedTokens: 1, reasoningTokens: 3 });
  });

  it("scope 'thread' (codex running total): run = reported − previous total, floor 0; total = reported", async () => {
    const { engine, sessions } = setup(
      lines([ev({ kind: 'session', id: 'native-old' }), ev({ kind: 'usage', usage: { inputTokens: 150, outputTokens: 25, cachedTokens: 40 }, scope: 'thread' })]),
    );
    seed(sessions, { tokenUsage: { inputTokens: 100, outputTokens: 10, cachedTokens: 50, reasoningTokens: 0 } });
    const r = doneOf(await events(engine.run({ ...inv, sessionId: 'feed' })));
    expect(r.usage).toEqual({ inputTokens: 50, outputTokens: 15, cachedTokens: 0, reasoningTokens: 0 });
    expect(sessions.map.get('feed1234')!.tokenUsage).toEqual({ inputTokens: 150, outputTokens: 25, cachedTokens: 40, reasoningTokens: 0 });
  });

  it('thread scope on a new session: the run usage is the reported total', async () => {
    const { engine } = setup(lines([ev({ kind: 'usage', usage: { inputTokens: 7, outputTokens: 3 }, scope: 'thread' })]));
    expect(doneOf(await events(engine.run(inv))).usage).toEqual({ inputTokens: 7, outputTokens: 3, cachedTokens: 0, reasoningTokens: 0 });
  });

  it('claude session cost: run cost = reported − previous session cost; session keeps the total', async () => {
    const { engine, sessions } = setup(lines([ev({ kind: 'usage', usage: { inputTokens: 1 }, scope: 'run', costUsd: 0.8, costScope: 'session' })]));
    seed(sessions, { costUsd: 0.5 });
    const r = doneOf(await events(engine.run({ ...inv, sessionId: 'feed' })));
    expect(r.costUsd).toBeCloseTo(0.3);
    expect(sessions.map.get('feed1234')!.costUsd).toBeCloseTo(0.8);
  });

  it('store_token_usage: false keeps usage out of the session', async () => {
    const { engine, sessions } = setup(lines([ev({ kind: 'usage', usage: { inputTokens: 9 }, scope: 'run', costUsd: 0.1 })]), {
      config: config({ session: { store_token_usage: false } }),
    });
    const r = doneOf(await events(engine.run(inv)));
    expect(r.usage.inputTokens).toBe(9);
    expect(r.costUsd).toBeCloseTo(0.1);
    expect(sessions.map.get(r.sessionId!)!.tokenUsage).toEqual(emptyUsage());
  });
});

describe('engine: cancellation', () => {
  it('the caller’s signal cancels: done with CANCELLED, session error', async () => {
    const state: { stopped?: boolean; aborted?: boolean } = {};
    const { engine, sessions } = setup(hang([ev({ kind: 'text', text: 'partial' })], state));
    const ac = new AbortController();
    const evs = [];
    for await (const e of engine.run(inv, ac.signal)) {
      evs.push(e);
      if (e.type === 'text') ac.abort();
    }
    const r = doneOf(evs);
    expect(r).toMatchObject({ exitCode: 7, output: 'partial', error: { code: 'CANCELLED' } });
    expect(state.aborted).toBe(true);
    expect(sessions.map.get(r.sessionId!)!.status).toBe('error');
  });

  it('stopping iteration early (return()) aborts the process and still records the session', async () => {
    const state: { stopped?: boolean; aborted?: boolean } = {};
    let signalSeen: AbortSignal | undefined;
    const script: Script = (spec, signal) => {
      signalSeen = signal;
      return hang([ev({ kind: 'session', id: 'n1' }), ev({ kind: 'text', text: 'partial' })], state)(spec, signal);
    };
    const { engine, sessions } = setup(script);
    for await (const e of engine.run(inv)) if (e.type === 'text') break;
    expect(signalSeen?.aborted).toBe(true);
    expect(state.stopped).toBe(true);
    const s = [...sessions.map.values()][0]!;
    expect(s).toMatchObject({ status: 'error', errorMessage: 'the run was cancelled', backendSessionId: 'n1', turnCount: 1 });
  });

  it('an already-aborted signal still starts nothing that keeps running', async () => {
    const state: { stopped?: boolean; aborted?: boolean } = {};
    const { engine } = setup(hang([], state));
    const ac = new AbortController();
    ac.abort();
    const r = doneOf(await events(engine.run(inv, ac.signal)));
    expect(r.error?.code).toBe('CANCELLED');
  });
});
