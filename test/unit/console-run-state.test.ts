// The console page's run state, built from the REST stream's lines (pure, so no browser needed).
import { describe, expect, it } from 'vitest';
import { applyLine, endRun, newRun, type Run } from '../../handlers/console/page/run-state.ts';

const feed = (run: Run, lines: object[]) => lines.reduce<Run>((r, l) => applyLine(r, l as never), run);

describe('console run state', () => {
  it('joins text deltas, attaches tool results to their calls, and keeps the figures of done', () => {
    const run = feed(newRun('claude', 'hi'), [
      { type: 'init', session_id: 's1', content: { model: 'm1' } },
      { type: 'message', content: { text: 'Hel' } },
      { type: 'message', content: { text: 'lo' } },
      { type: 'tool_use', content: { id: 't1', name: 'Bash', input: { command: 'ls' } } },
      { type: 'tool_use', content: { id: 't2', name: 'Read', input: { path: 'a' } } },
      { type: 'tool_result', content: { id: 't1', output: 'a\nb' } },
      { type: 'heartbeat' },
      { type: 'message', content: { text: 'Done.' } },
      { type: 'done', session_id: 's1', content: { session_id: 's1', exit_code: 0, duration_ms: 12, token_usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } } },
    ]);
    expect(run.status).toBe('done');
    expect(run.sessionId).toBe('s1');
    expect(run.model).toBe('m1');
    expect(run.parts).toEqual([
      { kind: 'text', text: 'Hello' },
      { kind: 'tool', id: 't1', name: 'Bash', input: { command: 'ls' }, output: 'a\nb', isError: false },
      { kind: 'tool', id: 't2', name: 'Read', input: { path: 'a' } },
      { kind: 'text', text: 'Done.' },
    ]);
    expect(run.result?.duration_ms).toBe(12);
  });

  it('an error line before done makes the run failed, with the server\'s words', () => {
    const run = feed(newRun('codex', 'x'), [
      { type: 'error', content: { code: 'AUTH', message: 'codex is not logged in', hint: 'run codex login' } },
      { type: 'done', content: { exit_code: 1, duration_ms: 5 } },
    ]);
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({ message: 'codex is not logged in', code: 'AUTH', hint: 'run codex login' });
  });

  it('a stream that ends without done is stopped (by the user) or failed (cut)', () => {
    expect(endRun(newRun('claude', 'x'), { stopped: true }).status).toBe('stopped');
    const cut = endRun(newRun('claude', 'x'), { stopped: false });
    expect(cut.status).toBe('failed');
    expect(cut.error?.message).toMatch(/ended before/);
    const finished = feed(newRun('claude', 'x'), [{ type: 'done', content: { exit_code: 0, duration_ms: 1 } }]);
    expect(endRun(finished, { stopped: true })).toBe(finished);
  });
});
