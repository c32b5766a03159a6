// The claude codec of the long-lived mode, fed lines as the real 2.1.332 prints them (warm-protocols.md).
import { describe, expect, it } from 'vitest';
import { claude } from '../../../runtime/backends/claude.ts';
import { warmKey, type WarmStart } from '../../../runtime/backends/warm.ts';

const start: WarmStart = { workdir: '/w', approvalMode: 'default', sandboxMode: 'default', extra: [], ephemeral: false };
const warm = claude.warm!;
const sid = '2025e2f6-afbb-4404-afc0-4df42994e259';
const init = JSON.stringify({ type: 'system', subtype: 'init', cwd: '/w', session_id: sid, model: 'claude-opus-5-5' });
const delta = (t: string) => JSON.stringify({ type: 'stream_event', event: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } }, session_id: sid, parent_tool_use_id: null });
const result = (extra: object = {}) =>
  JSON.stringify({ duration_api_ms: 712, stop_reason: 'end_turn', session_id: sid, total_cost_usd: 0.000228, usage: { input_tokens: 12, output_tokens: 9, cache_read_input_tokens: 0 }, type: 'result', subtype: 'success', is_error: false, result: 'Hi', ...extra });

describe('claude warm codec', () => {
  it('spawns with stream-json input and no prompt argument; --resume when the session exists', () => {
    const { args } = warm.spawn({ ...start, model: 'opus', resumeId: sid });
    expect(args.slice(0, 3)).toEqual(['-p', '--input-format', 'stream-json']);
    expect(args).toEqual(expect.arrayContaining(['--output-format', 'stream-json', '--verbose', '--model', 'opus', '--resume', sid]));
    expect(args).not.toContain('--');
    expect(warm.resumeAtSpawn).toBe(true);
  });

  it('is ready at once, sends one user line per turn, and ends the turn at its result', () => {
    const c = warm.createCodec(start);
    expect(c.open()).toEqual([{ kind: 'ready' }]);
    const [line] = c.turn({ prompt: '-not a flag' });
    expect(JSON.parse(line!)).toEqual({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: '-not a flag' }] } });
    expect(c.line(init)).toEqual([{ kind: 'session', id: sid, model: 'claude-opus-5-5' }]);
    expect(c.line(delta('Hi'))).toEqual([{ kind: 'text', text: 'Hi' }]);
    const end = c.line(result());
    expect(end.at(-1)).toEqual({ kind: 'turn_end' });
    expect(end).toContainEqual({ kind: 'usage', usage: { inputTokens: 12, outputTokens: 9, cachedTokens: 0 }, scope: 'run', costUsd: 0.000228, costScope: 'session' });
    // Background output after the result belongs to no turn.
    expect(c.line(delta('late'))).toEqual([]);
    // The next turn reports its session again (a fresh parser per turn).
    c.turn({ prompt: 'again' });
    expect(c.line(init)).toEqual([{ kind: 'session', id: sid, model: 'claude-opus-5-5' }]);
  });

  it('an interrupted turn ends cancelled, not as a failure; an interrupt sent before init is repeated at init', () => {
    const c = warm.createCodec(start);
    c.turn({ prompt: 'x' });
    const [int] = c.interrupt();
    expect(JSON.parse(int!)).toMatchObject({ type: 'control_request', request: { subtype: 'interrupt' } });
    const atInit = c.line(init);
    expect(atInit[0]).toMatchObject({ kind: 'write' });
    expect(JSON.parse((atInit[0] as { line: string }).line)).toMatchObject({ type: 'control_request', request: { subtype: 'interrupt' } });
    expect(c.line(JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: 'clinvk-int-1' } }))).toEqual([]);
    const end = c.line(result({ subtype: 'error_during_execution', is_error: true, terminal_reason: 'aborted_streaming', result: undefined }));
    expect(end.some((e) => e.kind === 'error')).toBe(false);
    expect(end.at(-1)).toEqual({ kind: 'turn_end', cancelled: true });
    expect(c.interrupt()).toEqual([]); // no turn running
  });

  it('a failed turn carries the backend error; garbage is fatal; the agent asking something is refused, not left hanging', () => {
    const c = warm.createCodec(start);
    c.turn({ prompt: 'x' });
    const end = c.line(result({ is_error: true, result: 'Not logged in · Please run /login' }));
    expect(end).toContainEqual(expect.objectContaining({ kind: 'error', fatal: true, category: 'auth' }));
    expect(c.line('Loaded cached credentials.')).toEqual([expect.objectContaining({ kind: 'fatal' })]);
    const asked = c.line(JSON.stringify({ type: 'control_request', request_id: 'r9', request: { subtype: 'can_use_tool', tool_name: 'Bash' } }));
    expect(JSON.parse((asked.find((o) => o.kind === 'write') as { line: string }).line)).toMatchObject({ type: 'control_response', response: { subtype: 'error', request_id: 'r9' } });
  });

  it('a process that exits mid-turn fails the turn with its stderr; between turns it says nothing', () => {
    const c = warm.createCodec(start);
    expect(c.exited({ code: 1, stderr: '' })).toEqual([]);
    c.turn({ prompt: 'x' });
    expect(c.exited({ code: 1, stderr: 'Error: fake crash mid-turn\n' })).toEqual([expect.objectContaining({ kind: 'error', message: 'Error: fake crash mid-turn', fatal: true })]);
    c.turn({ prompt: 'y' });
    expect(c.exited({ code: 0, stderr: '' })).toEqual([expect.objectContaining({ kind: 'error', message: 'claude exited with code 0 before the turn ended' })]);
  });

  it('warmKey: equal starts match whatever the resume id; a different model does not', () => {
    expect(warmKey({ ...start, resumeId: 'a' })).toBe(warmKey({ ...start, resumeId: 'b' }));
    expect(warmKey({ ...start, model: 'x' })).not.toBe(warmKey(start));
  });
});
