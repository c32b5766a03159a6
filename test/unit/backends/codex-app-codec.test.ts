// The codex app-server codec on real codex 0.171.0 transcripts (test/fixtures/samples/codex/app-server-0.171.0/).
import { describe, expect, it } from 'vitest';
import { codex } from '../../../runtime/backends/codex.ts';
import { createCodexAppCodec } from '../../../runtime/backends/codex-app.ts';
import type { WarmOutput, WarmStart } from '../../../runtime/backends/warm.ts';
import { methods, recordedMethods, replay, transcript } from './warm-replay.ts';

const DIR = 'codex/app-server-0.171.0';
const start = (o: Partial<WarmStart> = {}): WarmStart => ({ workdir: '/tmp/wc/repo', approvalMode: 'default', sandboxMode: 'default', extra: [], ephemeral: false, ...o });
const run = (file: string, o: Partial<WarmStart> = {}, resumeId?: string) =>
  replay(createCodexAppCodec(start(o)), transcript(`${DIR}/${file}.jsonl`), () => (resumeId ? { resumeId } : {}));

const MODEL_WARNING = { kind: 'warning', message: 'Model metadata for `gpt-mock-1` not found. Defaulting to fallback metadata; this can degrade performance and cause issues.' };
const usage = (inputTokens: number, cachedTokens: number, outputTokens: number, reasoningTokens: number) => ({
  kind: 'usage', scope: 'thread', usage: { inputTokens, cachedTokens, outputTokens, reasoningTokens },
});
const words = (...w: string[]) => w.map((text) => ({ kind: 'text', text }));
const HELLO = words('Hello ', 'from ', 'the ', 'mock.');
const RAN = words('The ', 'command ', 'ran.');
/** Splits events at each turn_end: [before the first turn (ready), turn 1, turn 2, …]. */
const turns = (events: WarmOutput[]): WarmOutput[][] => {
  const out: WarmOutput[][] = [[]];
  for (const e of events) {
    out[out.length - 1]!.push(e);
    if (e.kind === 'turn_end' || e.kind === 'ready') out.push([]);
  }
  return out.filter((t) => t.length > 0);
};

describe('codex app-server codec: real transcripts', () => {
  it('two turns on one thread: the same requests as the recording, the session first in every turn, thread-total usage', () => {
    const r = run('two-turns');
    expect(methods(r.writes)).toEqual(recordedMethods(transcript(`${DIR}/two-turns.jsonl`)));
    const id = '01a2482c-74cd-74b0-a9f4-23e2681b4a67';
    expect(turns(r.events)).toEqual([
      [{ kind: 'ready' }],
      [{ kind: 'session', id }, MODEL_WARNING, ...HELLO, usage(1200, 1024, 30, 8), { kind: 'turn_end' }],
      [{ kind: 'session', id }, MODEL_WARNING, ...HELLO, usage(2400, 2048, 60, 16), { kind: 'turn_end' }],
    ]);
  });

  it('the handshake: initialize, then the initialized notification, then ready; nothing before', () => {
    const codec = createCodexAppCodec(start());
    const open = codec.open();
    expect(open).toHaveLength(1);
    expect(JSON.parse((open[0] as { line: string }).line)).toMatchObject({ id: 1, method: 'initialize', params: { clientInfo: { name: 'clinvk' } } });
    const init = transcript(`${DIR}/two-turns.jsonl`).find((e) => e.dir === '<<')!.line;
    expect(codec.line(init)).toEqual([{ kind: 'write', line: '{"method":"initialized"}' }, { kind: 'ready' }]);
  });

  it('resume in a new process: thread/resume (history left out), usage continues the thread total', () => {
    const r = run('resume', {}, '01a2482c-74cd-74b0-a9f4-23e2681b4a67');
    expect(r.writes[2]).toMatchObject({ method: 'thread/resume', params: { threadId: '01a2482c-74cd-74b0-a9f4-23e2681b4a67', cwd: '/tmp/wc/repo', excludeTurns: true } });
    expect(turns(r.events)[1]).toEqual([
      { kind: 'session', id: '01a2482c-74cd-74b0-a9f4-23e2681b4a67' },
      usage(2400, 2048, 60, 16), // codex restates the thread's total on resume: this turn's share is what follows
      MODEL_WARNING,
      ...HELLO,
      usage(3600, 3072, 90, 24),
      { kind: 'turn_end' },
    ]);
  });

  it('resume of an unknown thread fails the turn with codex’s own message; the process stays usable', () => {
    const r = run('resume-bad', {}, '01a2482c-0000-7000-8000-000000000000');
    expect(turns(r.events)[1]).toEqual([
      { kind: 'error', message: 'no rollout found for thread id 01a2482c-0000-7000-8000-000000000000', fatal: true, category: 'other' },
      { kind: 'turn_end' },
    ]);
    expect(r.events.some((e) => e.kind === 'fatal')).toBe(false);
  });

  it('a command refused under approval_mode always: decline, a warning, the tool result is an error', () => {
    const r = run('untrusted-decline', { approvalMode: 'always', sandboxMode: 'workspace' });
    expect(r.writes.find((w) => w.id === 0)).toEqual({ id: 0, result: { decision: 'decline' } }); // request id 0 is answered too
    expect(turns(r.events)[1]).toEqual([
      { kind: 'session', id: '01a2482d-9269-72d1-a517-77832d43727f' },
      MODEL_WARNING,
      { kind: 'tool_use', id: 'call_mock3', name: 'shell', input: { command: "/bin/bash -lc 'touch made-by-tool.txt'" } },
      { kind: 'warning', message: "codex asked to run `/bin/bash -lc 'touch made-by-tool.txt'`; refused (approval_mode always, nobody to ask)" },
      { kind: 'tool_result', id: 'call_mock3', name: 'shell', output: '', isError: true },
      usage(1200, 1024, 30, 8),
      ...RAN,
      usage(2400, 2048, 60, 16),
      { kind: 'turn_end' },
    ]);
  });

  it('a command accepted under approval_mode none runs; its tool result', () => {
    const r = run('tool-accept', { approvalMode: 'none' });
    expect(r.writes.find((w) => w.id === 0)).toEqual({ id: 0, result: { decision: 'accept' } });
    expect(r.events).toContainEqual({ kind: 'tool_result', id: 'call_mock8', name: 'shell', output: '', isError: false });
  });

  it('a command that exits 3: its output, an error tool result, not a failed turn', () => {
    const r = run('tool-output', { approvalMode: 'none', sandboxMode: 'full' });
    expect(r.events).toContainEqual({ kind: 'tool_result', id: 'call_mock10', name: 'shell', output: 'hello-out\n', isError: true });
    expect(r.events.some((e) => e.kind === 'error')).toBe(false);
  });

  describe('file change approvals (the request names no path: the item announced them)', () => {
    const decision = (o: Partial<WarmStart>) => run('patch-decline', o).writes.find((w) => w.id === 0);
    it('auto: edits inside the workdir go ahead', () => expect(decision({ approvalMode: 'auto', sandboxMode: 'workspace' })).toEqual({ id: 0, result: { decision: 'accept' } }));
    it('auto: not outside it', () => expect(decision({ approvalMode: 'auto', sandboxMode: 'workspace', workdir: '/tmp/wc/re' })).toEqual({ id: 0, result: { decision: 'decline' } }));
    it('auto: not in a read-only sandbox', () => expect(decision({ approvalMode: 'auto', sandboxMode: 'read-only' })).toEqual({ id: 0, result: { decision: 'decline' } }));
    it('always and default: never', () => {
      expect(decision({ approvalMode: 'always' })).toEqual({ id: 0, result: { decision: 'decline' } });
      expect(decision({ approvalMode: 'default' })).toEqual({ id: 0, result: { decision: 'decline' } });
    });
    it('the declined change reads as the cold parser’s file_change', () => {
      const changes = [{ path: '/tmp/wc/repo/README.md', kind: 'update' }, { path: '/tmp/wc/repo/hello.txt', kind: 'add' }];
      expect(run('patch-decline', { approvalMode: 'always' }).events.filter((e) => e.kind === 'tool_use' || e.kind === 'tool_result')).toEqual([
        { kind: 'tool_use', id: 'call_mock6', name: 'file_change', input: { changes } },
        { kind: 'tool_result', id: 'call_mock6', name: 'file_change', output: 'update /tmp/wc/repo/README.md\nadd /tmp/wc/repo/hello.txt', isError: true },
      ]);
    });
  });

  it('interrupt: turn/interrupt with the turn id, the turn ends as a cancel, the next turn runs', () => {
    const r = run('interrupt', { approvalMode: 'none', sandboxMode: 'full' });
    expect(r.writes.find((w) => w.method === 'turn/interrupt')).toMatchObject({
      params: { threadId: '01a2482f-372d-71d3-9cf0-c05b8eda84c2', turnId: '01a2482f-3849-7150-8838-0693d0a664e1' },
    });
    const [, first, second] = turns(r.events);
    expect(first!.at(-1)).toEqual({ kind: 'turn_end', cancelled: true });
    expect(first!.some((e) => e.kind === 'error')).toBe(false);
    expect(second!.at(-1)).toEqual({ kind: 'turn_end' });
    expect(second!.filter((e) => e.kind === 'text')).toEqual(RAN);
  });

  it('401: the retries are notices, the last error fails the turn as auth (once), and the next turn still runs', () => {
    const r = run('error-401');
    const [, first, second] = turns(r.events);
    const msg = 'unexpected status 401 Unauthorized: Incorrect API key provided: sk-mock. You can find your API key at https://platform.openai.com/account/api-keys., url: http://127.0.0.1:29391/v1/responses';
    expect(first!.filter((e) => e.kind === 'error' && !e.fatal)).toHaveLength(5);
    expect(first!.filter((e) => e.kind === 'error' && e.fatal)).toEqual([{ kind: 'error', message: msg, fatal: true, category: 'auth' }]);
    expect(first!.at(-1)).toEqual({ kind: 'turn_end' });
    expect(second!.filter((e) => e.kind === 'error' && e.fatal)).toHaveLength(1);
  });
});

describe('codex app-server codec: requests it writes', () => {
  const ready = (o: Partial<WarmStart> = {}) => {
    const codec = createCodexAppCodec(start(o));
    codec.open();
    codec.line('{"id":1,"result":{"userAgent":"x"}}');
    return codec;
  };
  const first = (o: Partial<WarmStart>) => JSON.parse(ready(o).turn({ prompt: 'hi' })[0]!);

  it('thread/start carries the workdir, approval, sandbox, model, system prompt and the reviewer', () => {
    expect(first({ approvalMode: 'auto', sandboxMode: 'workspace', model: 'gpt-5', systemPrompt: 'Be brief.' })).toEqual({
      id: 2,
      method: 'thread/start',
      params: {
        cwd: '/tmp/wc/repo', approvalsReviewer: 'user', approvalPolicy: 'on-request', sandbox: 'workspace-write', model: 'gpt-5', developerInstructions: 'Be brief.',
        config: { projects: { '/tmp/wc/repo': { trust_level: 'trusted' } } }, // else codex writes it into the user's config.toml
      },
    });
    expect(first({ approvalMode: 'none', sandboxMode: 'full', ephemeral: true }).params).toEqual({
      cwd: '/tmp/wc/repo', approvalsReviewer: 'user', approvalPolicy: 'never', sandbox: 'danger-full-access', ephemeral: true,
      config: { projects: { '/tmp/wc/repo': { trust_level: 'trusted' } } },
    });
    // always: codex 0.171 refuses `untrusted` ("no longer supported"), so the read-only sandbox, as cold (codex-modes.ts).
    expect(first({ approvalMode: 'always', sandboxMode: 'workspace' }).params).toMatchObject({ approvalPolicy: 'on-request', sandbox: 'read-only' });
    expect(first({ approvalMode: 'auto' }).params).toMatchObject({ approvalPolicy: 'on-request', sandbox: 'workspace-write' });
    expect(first({}).params).toEqual({ cwd: '/tmp/wc/repo', approvalsReviewer: 'user' }); // default: codex's own settings
  });

  it('a resume id fixed at the start is used when the turn gives none', () => {
    expect(first({ resumeId: 'thr-1' })).toMatchObject({ method: 'thread/resume', params: { threadId: 'thr-1' } });
  });

  it('the prompt goes as text, never as a flag; -i images as local images resolved against the workdir', () => {
    const codec = ready({ extra: ['-i', 'shot.png', '--image=/abs/b.png'] });
    const [threadStart] = codec.turn({ prompt: '--help me' });
    const out = codec.line(JSON.stringify({ id: JSON.parse(threadStart!).id, result: { thread: { id: 'thr' } } }));
    const turnStart = JSON.parse((out.find((o) => o.kind === 'write') as { line: string }).line);
    expect(turnStart).toEqual({
      id: 3,
      method: 'turn/start',
      params: {
        threadId: 'thr',
        input: [
          { type: 'text', text: '--help me', text_elements: [] },
          { type: 'localImage', path: '/tmp/wc/repo/shot.png' },
          { type: 'localImage', path: '/abs/b.png' },
        ],
      },
    });
    expect(out[0]).toEqual({ kind: 'session', id: 'thr' });
  });

  it('one turn at a time: turn() while a turn runs writes nothing (a second turn/start would join it)', () => {
    const codec = ready();
    expect(codec.turn({ prompt: 'a' })).toHaveLength(1);
    expect(codec.turn({ prompt: 'b' })).toEqual([]);
  });

  it('interrupt before the turn/start reply names the turn: nothing to send (the pool kills); twice: the second kills', () => {
    const codec = ready();
    codec.turn({ prompt: 'a' });
    expect(codec.interrupt()).toEqual([]);
    codec.line('{"id":2,"result":{"thread":{"id":"thr"}}}');
    codec.line('{"id":3,"result":{"turn":{"id":"t1","status":"inProgress","error":null}}}');
    expect(JSON.parse(codec.interrupt()[0]!)).toEqual({ id: 4, method: 'turn/interrupt', params: { threadId: 'thr', turnId: 't1' } });
    expect(codec.interrupt()).toEqual([]);
    // A turn that completes normally after the interrupt still ends as a cancel; the late reply is ignored.
    expect(codec.line('{"method":"turn/completed","params":{"threadId":"thr","turn":{"id":"t1","status":"completed","error":null}}}')).toEqual([{ kind: 'turn_end', cancelled: true }]);
    expect(codec.line('{"id":4,"result":{}}')).toEqual([]);
  });

  it('no turn running: interrupt and exit have nothing to say; shutdown is EOF alone', () => {
    const codec = ready();
    expect(codec.interrupt()).toEqual([]);
    expect(codec.shutdown()).toEqual([]);
    expect(codec.exited({ code: 0, stderr: '' })).toEqual([]);
  });

  it('initialize refused (-32001 overloaded): fatal', () => {
    const codec = createCodexAppCodec(start());
    codec.open();
    expect(codec.line('{"id":1,"error":{"code":-32001,"message":"Server overloaded; retry later."}}')).toEqual([
      { kind: 'fatal', message: 'codex app-server refused initialize: Server overloaded; retry later.' },
    ]);
  });

  it('a turn/start error reply ends the turn with that error', () => {
    const codec = ready();
    codec.turn({ prompt: 'a' });
    codec.line('{"id":2,"result":{"thread":{"id":"thr"}}}');
    expect(codec.line('{"id":3,"error":{"code":-32600,"message":"thread not found"}}')).toEqual([
      { kind: 'error', message: 'turn/start: thread not found', fatal: true, category: 'other' },
      { kind: 'turn_end' },
    ]);
  });
});

describe('codex app-server codec: faults', () => {
  const midTurn = () => {
    const codec = createCodexAppCodec(start());
    codec.open();
    codec.line('{"id":1,"result":{}}');
    codec.turn({ prompt: 'a' });
    codec.line('{"id":2,"result":{"thread":{"id":"thr"}}}');
    codec.line('{"id":3,"result":{"turn":{"id":"t1","status":"inProgress","error":null}}}');
    return codec;
  };

  it('a garbled line is fatal (the process can no longer be trusted), and the codec says nothing after', () => {
    const codec = midTurn();
    expect(codec.line('this is not json {{{')).toEqual([{ kind: 'fatal', message: 'codex app-server printed a line that is not JSON-RPC: this is not json {{{' }]);
    expect(codec.line('{"method":"item/agentMessage/delta","params":{"threadId":"thr","turnId":"t1","itemId":"m","delta":"x"}}')).toEqual([]);
  });

  it('a usage limit fails the turn as rate_limit with the reset time; a retry notice is not fatal', () => {
    const codec = midTurn();
    const error = (willRetry: boolean, message: string, info: unknown) => JSON.stringify({ method: 'error', params: { error: { message, codexErrorInfo: info, additionalDetails: null }, willRetry, threadId: 'thr', turnId: 't1' } });
    expect(codec.line(error(true, 'Reconnecting... 1/5', { responseStreamDisconnected: { httpStatusCode: 502 } }))).toEqual([{ kind: 'error', message: 'Reconnecting... 1/5', fatal: false, category: 'other' }]);
    const limit = "You've hit your usage limit. Upgrade to Pro (https://openai.com/chatgpt/pricing) or try again in 2 hours 5 minutes.";
    expect(codec.line(error(false, limit, 'usageLimitExceeded'))).toEqual([{ kind: 'error', message: limit, fatal: true, category: 'rate_limit', retryAfterSeconds: 7500 }]);
  });

  it('approval_mode none with a read-only sandbox: a file change is still refused (the sandbox is the bound)', () => {
    const ro = createCodexAppCodec(start({ approvalMode: 'none', sandboxMode: 'read-only' }));
    ro.open();
    ro.line('{"id":1,"result":{}}');
    expect(ro.line('{"id":0,"method":"item/fileChange/requestApproval","params":{"itemId":"x"}}')[0]).toEqual({ kind: 'write', line: '{"id":0,"result":{"decision":"decline"}}' });
  });

  it('a reply to a request never made is fatal', () => {
    expect(midTurn().line('{"id":99,"result":{}}')[0]).toMatchObject({ kind: 'fatal' });
  });

  it('an unknown notification is one warning (then quiet); a known but idle one says nothing', () => {
    const codec = midTurn();
    const unknown = '{"method":"thread/somethingNew","params":{"threadId":"thr"}}';
    expect(codec.line(unknown)).toEqual([{ kind: 'warning', message: 'codex app-server sent an unknown notification (thread/somethingNew); ignored' }]);
    expect(codec.line(unknown)).toEqual([]);
    expect(codec.line('{"method":"account/rateLimits/updated","params":{}}')).toEqual([]);
  });

  it('an unknown server request gets a JSON-RPC error, never silence, and a warning', () => {
    expect(midTurn().line('{"id":7,"method":"item/newKind/requestApproval","params":{}}')).toEqual([
      { kind: 'write', line: '{"id":7,"error":{"code":-32601,"message":"clinvk cannot answer item/newKind/requestApproval"}}' },
      { kind: 'warning', message: 'codex sent a request clinvk does not know (item/newKind/requestApproval); answered with an error' },
    ]);
  });

  it('every known server request gets an answer of its own shape', () => {
    const answer = (method: string, params: object = {}) => JSON.parse((midTurn().line(JSON.stringify({ id: 5, method, params }))[0] as { line: string }).line);
    expect(answer('item/permissions/requestApproval')).toEqual({ id: 5, result: { permissions: {}, scope: 'turn' } });
    expect(answer('item/tool/requestUserInput')).toEqual({ id: 5, result: { answers: {} } });
    expect(answer('mcpServer/elicitation/request')).toEqual({ id: 5, result: { action: 'decline', content: null, _meta: null } });
    expect(answer('item/tool/call')).toEqual({ id: 5, result: { contentItems: [], success: false } });
    expect(answer('execCommandApproval')).toEqual({ id: 5, result: { decision: { denied: { rejection: 'refused by approval_mode default' } } } });
    expect(answer('account/chatgptAuthTokens/refresh')).toMatchObject({ id: 5, error: { code: -32601 } });
  });

  it('the process dies mid-turn: the turn fails with codex’s own stderr line', () => {
    const stderr = 'WARNING: proceeding, even though we could not create PATH aliases\n\u001b[2m2026-12-05T21:46:41Z\u001b[0m \u001b[31mERROR\u001b[0m codex could not find bubblewrap on PATH\nthread \'main\' panicked at src/main.rs:1: fake crash\n';
    expect(midTurn().exited({ code: 101, stderr })).toEqual([{ kind: 'error', message: "thread 'main' panicked at src/main.rs:1: fake crash", fatal: true, category: 'other' }]);
    expect(midTurn().exited({ code: null, stderr: '' })).toEqual([{ kind: 'error', message: 'codex app-server was killed', fatal: true, category: 'other' }]);
  });

  it('events of another thread or a late end of an earlier turn are not this turn’s', () => {
    const codec = midTurn();
    expect(codec.line('{"method":"item/agentMessage/delta","params":{"threadId":"other","turnId":"x","itemId":"m","delta":"x"}}')).toEqual([]);
    expect(codec.line('{"method":"turn/completed","params":{"threadId":"thr","turn":{"id":"t0","status":"completed","error":null}}}')).toEqual([]);
    expect(codec.line('{"method":"item/agentMessage/delta","params":{"threadId":"thr","turnId":"t1","itemId":"m","delta":"ok"}}')).toEqual([{ kind: 'text', text: 'ok' }]);
  });
});

describe('codex app-server: spawn', () => {
  const spawn = (o: Partial<WarmStart>) => codex.warm!.spawn(start(o));
  it('argv: app-server and what it takes of extra; the rest is a warning', () => {
    expect(spawn({}).args).toEqual(['app-server']);
    expect(spawn({ extra: ['--enable', 'x', '--disable=y', '--strict-config', '-p', 'work', '--add-dir', '/a', '--add-dir', '/b c'] }).args).toEqual([
      'app-server', '--enable', 'x', '--disable', 'y', '--strict-config', '-c', 'profile="work"', '-c', 'sandbox_workspace_write.writable_roots=["/a","/b c"]',
    ]);
    const oss = spawn({ extra: ['--oss', '--local-provider', 'ollama', '-i', 'a.png'], maxTurns: 3 });
    expect(oss.args).toEqual(['app-server']);
    expect(oss.warnings).toEqual(['codex app-server has no --oss; it was ignored', 'codex app-server has no --local-provider; it was ignored', 'codex has no flag for max_turns; it was ignored']);
  });
  it('a spare can resume any session: the thread is picked by the first turn', () => {
    expect(codex.warm!.resumeAtSpawn).toBe(false);
  });
});
