// The gemini --acp codec, fed what the real gemini 0.61.0 printed (test/fixtures/samples/gemini-acp/).
import { describe, expect, it } from 'vitest';
import { gemini } from '../../../runtime/backends/gemini.ts';
import { geminiWarm } from '../../../runtime/backends/gemini-warm.ts';
import type { WarmCodec, WarmOutput, WarmStart } from '../../../runtime/backends/warm.ts';
import { sample } from './samples.ts';

const start = (over: Partial<WarmStart> = {}): WarmStart => ({ workdir: '/tmp/wg/repo', approvalMode: 'default', sandboxMode: 'default', extra: [], ephemeral: false, ...over });
const lines = (name: string): string[] => sample(`gemini-acp/${name}.jsonl`).split('\n').filter((l) => l !== '');
const writes = (out: WarmOutput[]): unknown[] => out.flatMap((o) => (o.kind === 'write' ? [JSON.parse(o.line)] : []));
const nonWrites = (out: WarmOutput[]): WarmOutput[] => out.filter((o) => o.kind !== 'write');

/**
 * Plays one live process: open(), then every stdout line in order; a prompt starts when the codec is
 * ready (or the previous turn ended), as the pool does. `after(i)` runs after line i (e.g. an interrupt).
 */
function play(codec: WarmCodec, stdout: string[], prompts: string[], after: (i: number, out: WarmOutput[]) => void = () => {}): WarmOutput[] {
  const out: WarmOutput[] = [...codec.open()];
  const next = () => {
    const prompt = prompts.shift();
    if (prompt !== undefined) out.push(...codec.turn({ prompt }).map((line): WarmOutput => ({ kind: 'write', line })));
  };
  stdout.forEach((line, i) => {
    const got = codec.line(line);
    out.push(...got);
    if (got.some((o) => o.kind === 'ready' || o.kind === 'turn_end')) next();
    after(i, out);
  });
  return out;
}

describe('gemini --acp codec on the real 0.61.0 messages', () => {
  it('two turns on one process: initialize, session/new, two prompts; chunks, usage from _meta.quota', () => {
    const stdout = lines('two-turns');
    const sid = JSON.parse(stdout[1]!).result.sessionId as string;
    const out = play(geminiWarm.createCodec(start()), stdout, ['TOKEN:alpha hi', 'TOKEN:beta again']);
    expect(writes(out)).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: 1, clientCapabilities: { fs: { readTextFile: false, writeTextFile: false } } } },
      { jsonrpc: '2.0', id: 2, method: 'session/new', params: { cwd: '/tmp/wg/repo', mcpServers: [] } },
      { jsonrpc: '2.0', id: 3, method: 'session/prompt', params: { sessionId: sid, prompt: [{ type: 'text', text: 'TOKEN:alpha hi' }] } },
      { jsonrpc: '2.0', id: 4, method: 'session/prompt', params: { sessionId: sid, prompt: [{ type: 'text', text: 'TOKEN:beta again' }] } },
    ]);
    const turn = [
      { kind: 'session', id: sid, model: 'auto' },
      { kind: 'text', text: 'Hello from ' },
      { kind: 'text', text: 'the mock.' },
      { kind: 'usage', scope: 'run', usage: { inputTokens: 8230, outputTokens: 11 } },
      { kind: 'turn_end' },
    ];
    expect(nonWrites(out)).toEqual([{ kind: 'ready' }, ...turn, ...turn]);
  });

  it('a permission request (id 0) in approval default is refused: reject option, tool_use + error tool_result, then the answer', () => {
    const out = play(geminiWarm.createCodec(start()), lines('permission-rejected'), ['USE_TOOL:touch made.txt']);
    expect(writes(out)).toContainEqual({ jsonrpc: '2.0', id: 0, result: { outcome: { outcome: 'selected', optionId: 'cancel' } } });
    const events = nonWrites(out).filter((o) => o.kind !== 'session' && o.kind !== 'ready');
    expect(events.slice(0, 3)).toMatchObject([
      { kind: 'text', text: 'Listing files.' },
      { kind: 'tool_use', name: 'run_shell_command', input: { title: 'touch made.txt', kind: 'execute' } },
      { kind: 'tool_result', name: 'run_shell_command', isError: true, output: expect.stringMatching(/approval mode "default"/) },
    ]);
    expect((events[1] as { id: string }).id).toMatch(/^run_shell_command__run_shell_command_\d+_0$/);
    expect(events.slice(3)).toEqual([
      { kind: 'text', text: '\n\nThe directory has ' },
      { kind: 'text', text: 'a few files.' },
      { kind: 'usage', scope: 'run', usage: { inputTokens: 16460, outputTokens: 22 } },
      { kind: 'turn_end' },
    ]);
  });

  it('approval none allows the tool (allow_once), approval always and auto refuse it', () => {
    const answer = (approvalMode: WarmStart['approvalMode']) =>
      writes(play(geminiWarm.createCodec(start({ approvalMode })), lines('permission-rejected'), ['x'])).find((w) => (w as { id: number }).id === 0);
    expect(answer('none')).toEqual({ jsonrpc: '2.0', id: 0, result: { outcome: { outcome: 'selected', optionId: 'proceed_once' } } });
    expect(answer('always')).toMatchObject({ result: { outcome: { optionId: 'cancel' } } });
    expect(answer('auto')).toMatchObject({ result: { outcome: { optionId: 'cancel' } } });
  });

  it('--yolo: tool_call in_progress then completed become tool_use and tool_result; text after it starts a paragraph', () => {
    const out = nonWrites(play(geminiWarm.createCodec(start({ approvalMode: 'none' })), lines('yolo-tool'), ['USE_TOOL:echo hi there']));
    expect(out.map((o) => o.kind)).toEqual(['ready', 'session', 'text', 'tool_use', 'tool_result', 'text', 'text', 'usage', 'turn_end']);
    expect(out[3]).toMatchObject({ name: 'run_shell_command', input: { title: 'echo hi there', kind: 'execute' } });
    expect(out[4]).toMatchObject({ name: 'run_shell_command', output: '', isError: false });
    expect(out[5]).toEqual({ kind: 'text', text: '\n\nThe directory has ' });
  });

  it('interrupt: session/cancel; a permission asked meanwhile is answered "cancelled"; the turn ends cancelled, no error', () => {
    const codec = geminiWarm.createCodec(start({ approvalMode: 'none' }));
    let cancel: string[] = [];
    const out = play(codec, lines('cancel'), ['USE_TOOL:sleep 8'], (i) => {
      if (i === 3) cancel = codec.interrupt(); // after "Listing files."
    });
    const sid = JSON.parse(lines('cancel')[1]!).result.sessionId as string;
    expect(cancel.map((l) => JSON.parse(l))).toEqual([{ jsonrpc: '2.0', method: 'session/cancel', params: { sessionId: sid } }]);
    expect(writes(out)).toContainEqual({ jsonrpc: '2.0', id: 0, result: { outcome: { outcome: 'cancelled' } } });
    expect(out.at(-1)).toEqual({ kind: 'turn_end', cancelled: true });
    expect(out.some((o) => o.kind === 'error' || o.kind === 'fatal')).toBe(false);
  });

  it('interrupt before session/prompt went out, or with no turn, has no protocol message (the pool kills the group)', () => {
    const codec = geminiWarm.createCodec(start());
    codec.open();
    expect(codec.interrupt()).toEqual([]);
    codec.line(lines('two-turns')[0]!);
    codec.turn({ prompt: 'x' });
    expect(codec.interrupt()).toEqual([]);
  });

  it('an API error on the prompt fails the turn with the API message (unwrapped), and the process stays usable', () => {
    const out = nonWrites(play(geminiWarm.createCodec(start()), lines('api-error-400'), ['hi']));
    expect(out.slice(1)).toEqual([
      { kind: 'session', id: expect.any(String), model: 'auto' },
      { kind: 'error', message: 'API key not valid. Please pass a valid API key.', fatal: true, category: 'auth' },
      { kind: 'turn_end' },
    ]);
  });

  it('429 from the prompt (gemini source: "Rate limit exceeded") is rate_limit', () => {
    const stdout = [...lines('two-turns').slice(0, 2), '{"jsonrpc":"2.0","id":3,"error":{"code":429,"message":"Rate limit exceeded. Try again later."}}'];
    const out = nonWrites(play(geminiWarm.createCodec(start()), stdout, ['hi']));
    expect(out).toContainEqual({ kind: 'error', message: 'Rate limit exceeded. Try again later.', fatal: true, category: 'rate_limit' });
  });

  it('an internal error on the prompt keeps gemini\'s details', () => {
    const stdout = [...lines('two-turns').slice(0, 2), '{"jsonrpc":"2.0","id":3,"error":{"code":-32603,"message":"Internal error","data":{"details":"Unknown stream execution error."}}}'];
    const out = nonWrites(play(geminiWarm.createCodec(start()), stdout, ['hi']));
    expect(out.slice(-2)).toEqual([{ kind: 'error', message: 'Internal error: Unknown stream execution error.', fatal: true, category: 'other' }, { kind: 'turn_end' }]);
  });

  it('stop reasons other than end_turn are notices; "cancelled" that we did not ask for fails the turn', () => {
    const head = lines('two-turns').slice(0, 2);
    const end = (stop: string) => nonWrites(play(geminiWarm.createCodec(start()), [...head, `{"jsonrpc":"2.0","id":3,"result":{"stopReason":"${stop}"}}`], ['x'])).slice(2);
    expect(end('max_turn_requests')).toEqual([{ kind: 'error', message: expect.stringMatching(/turn limit or detected a loop/), fatal: false }, { kind: 'turn_end' }]);
    expect(end('cancelled')).toEqual([{ kind: 'error', message: 'gemini cancelled the turn', fatal: true }, { kind: 'turn_end' }]);
  });

  it('stdout noise is skipped; a broken JSON line is fatal; unknown messages and stray replies are warnings', () => {
    const codec = geminiWarm.createCodec(start());
    codec.open();
    expect(codec.line('Loaded cached credentials.')).toEqual([]);
    expect(codec.line('')).toEqual([]);
    expect(codec.line('{"jsonrpc":"2.0","method":"session/upd')).toEqual([{ kind: 'fatal', message: expect.stringMatching(/broken message/) }]);
    expect(codec.line('{"hello":1}')).toEqual([{ kind: 'warning', message: expect.stringMatching(/unknown message/) }]);
    expect(codec.line('{"jsonrpc":"2.0","id":99,"result":{}}')).toEqual([{ kind: 'warning', message: expect.stringMatching(/did not send \(id 99\)/) }]);
  });

  it('a failed handshake is fatal: initialize error, session/new error (auth), Session not found on the prompt', () => {
    const init = geminiWarm.createCodec(start());
    init.open();
    expect(init.line('{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"Internal error"}}')).toEqual([{ kind: 'fatal', message: expect.stringMatching(/initialize failed: Internal error/) }]);
    const auth = play(geminiWarm.createCodec(start()), [lines('two-turns')[0]!, '{"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"Gemini API key is missing or not configured."}}'], ['x']);
    expect(auth.at(-1)).toEqual({ kind: 'fatal', message: expect.stringMatching(/could not start a session: Gemini API key is missing/) });
    const lost = play(geminiWarm.createCodec(start()), [...lines('two-turns').slice(0, 2), '{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"Session not found: x"}}'], ['x']);
    expect(lost.at(-1)).toEqual({ kind: 'fatal', message: expect.stringMatching(/refused the prompt: Session not found/) });
  });

  it('never sends session/load (0.61.0 erases the session): a turn asked to resume gets a fatal through a refused request', () => {
    const codec = geminiWarm.createCodec(start());
    codec.open();
    codec.line(lines('two-turns')[0]!);
    const sent = codec.turn({ prompt: 'x', resumeId: 'f8d2de67-f3b7-4014-9e27-03b9ccae789c' }).map((l) => JSON.parse(l));
    expect(sent).toEqual([{ jsonrpc: '2.0', id: 2, method: 'clinvk/session_load_refused', params: { sessionId: 'f8d2de67-f3b7-4014-9e27-03b9ccae789c' } }]);
    expect(JSON.stringify(sent)).not.toMatch(/session\/load"/);
    // gemini's real answer to a method it does not know, renumbered to our request.
    const refusal = lines('unknown-method')[0]!.replace('"id":77', '"id":2');
    expect(codec.line(refusal)).toEqual([{ kind: 'fatal', message: expect.stringMatching(/cannot resume a saved session/) }]);
    expect(lines('session-load-fails')[0]).toMatch(/No previous sessions found/);
  });

  it('agent requests we do not serve get a JSON-RPC error reply, never silence', () => {
    const codec = geminiWarm.createCodec(start());
    codec.open();
    const out = codec.line('{"jsonrpc":"2.0","id":5,"method":"fs/read_text_file","params":{"sessionId":"s","path":"/etc/passwd"}}');
    expect(writes(out)).toEqual([{ jsonrpc: '2.0', id: 5, error: { code: -32601, message: 'Method not found: fs/read_text_file' } }]);
    expect(nonWrites(out)).toEqual([{ kind: 'warning', message: expect.stringMatching(/fs\/read_text_file/) }]);
  });

  it('the process dies mid-turn: the turn fails with the backend message from stderr; none when idle or cancelling', () => {
    const stdout = lines('two-turns').slice(0, 3); // initialize, session/new, first chunk
    const codec = geminiWarm.createCodec(start());
    play(codec, stdout, ['hi']);
    const stderr = 'Ripgrep is not available. Falling back to GrepTool.\n[STARTUP] Phase x\nError: fake crash mid-turn\n';
    expect(codec.exited({ code: 1, stderr })).toEqual([{ kind: 'error', message: 'Error: fake crash mid-turn', fatal: true, category: 'other' }]);
    expect(codec.exited({ code: 1, stderr })).toEqual([]);
    const quiet = geminiWarm.createCodec(start());
    play(quiet, stdout, ['hi']);
    expect(quiet.exited({ code: null, stderr: '' })).toEqual([{ kind: 'error', message: 'gemini was killed before the turn ended', fatal: true, category: 'other' }]);
    const cancelled = geminiWarm.createCodec(start());
    play(cancelled, stdout, ['hi'], (i) => i === 2 && cancelled.interrupt());
    expect(cancelled.exited({ code: null, stderr: '' })).toEqual([]);
  });

  it('the system prompt goes before the session\'s first prompt only (its history keeps it); the turn workdir picks the session cwd', () => {
    const codec = geminiWarm.createCodec(start({ systemPrompt: 'Be brief.' }));
    codec.open();
    codec.line(lines('two-turns')[0]!);
    expect(JSON.parse(codec.turn({ prompt: 'x', workdir: '/srv/other' })[0]!).params).toEqual({ cwd: '/srv/other', mcpServers: [] });
    const out = codec.line(lines('two-turns')[1]!);
    expect(writes(out)[0]).toMatchObject({ method: 'session/prompt', params: { prompt: [{ type: 'text', text: 'Be brief.\n\nx' }] } });
    for (const l of lines('two-turns').slice(2, 6)) codec.line(l); // the rest of turn 1, up to its reply
    expect(JSON.parse(codec.turn({ prompt: 'y' })[0]!).params.prompt).toEqual([{ type: 'text', text: 'y' }]);
  });
});

describe('gemini --acp process', () => {
  it('argv: --acp with the cold run flags, no prompt, output format or resume; same warnings', () => {
    expect(geminiWarm.spawn(start({ model: 'gemini-3.5-flash', approvalMode: 'none', sandboxMode: 'workspace', extra: ['--include-directories', '/x'], maxTurns: 3 }))).toEqual({
      args: ['--acp', '--skip-trust', '-m', 'gemini-3.5-flash', '--yolo', '--sandbox', '--include-directories', '/x'],
      warnings: ['gemini has no flag for max_turns; it was ignored'],
    });
    expect(geminiWarm.spawn(start({ approvalMode: 'none', sandboxMode: 'read-only' }))).toEqual({
      args: ['--acp', '--skip-trust', '--approval-mode', 'plan'],
      warnings: ['gemini has no read-only sandbox; sandbox_mode "read-only" runs it in its plan mode, which offers no shell commands either'],
    });
    expect(geminiWarm.spawn(start({ approvalMode: 'auto', options: { skip_trust: false } })).args).toEqual(['--acp', '--approval-mode', 'auto_edit']);
    expect(() => geminiWarm.spawn(start({ model: '-x' }))).toThrow(/must not start with "-"/);
  });

  it('is registered as gemini.warm: session chosen per process, never resumed live, cwd per session', () => {
    expect(gemini.warm).toBe(geminiWarm);
    expect(geminiWarm).toMatchObject({ resumeAtSpawn: false, resumeLive: false, workdirAtSpawn: false });
    expect(geminiWarm.createCodec(start()).shutdown()).toEqual([]);
  });
});
