// The claude parser on real claude 2.1.330 output (test/fixtures/samples/claude/).
import { describe, expect, it } from 'vitest';
import { claude } from '../../../runtime/backends/claude.ts';
import { feed, feedSample, sample } from './samples.ts';

const stream = () => claude.createParser();
const json = () => claude.createParser({ format: 'json' });
const usage = (inputTokens: number, outputTokens: number, costUsd: number) => ({
  kind: 'usage', usage: { inputTokens, outputTokens, cachedTokens: 0 }, scope: 'run', costUsd, costScope: 'session',
});

describe('claude stream-json', () => {
  it('partial messages: text from the deltas only, then usage and final', () => {
    expect(feedSample(stream(), 'claude/stream-json-include-partial-messages.jsonl')).toEqual([
      { kind: 'session', id: '17920dbc-1b1d-4f60-a294-3656ea856bea', model: 'claude-opus-5-5' },
      { kind: 'text', text: 'Hello ' },
      { kind: 'text', text: 'from ' },
      { kind: 'text', text: 'the ' },
      { kind: 'text', text: 'mock.' },
      usage(12, 9, 0.000228),
      { kind: 'final', text: 'Hello from the mock.' },
    ]);
  });

  it('tool use without deltas: message text, tool_use, tool_result, next message on a new paragraph', () => {
    expect(feedSample(stream(), 'claude/stream-json-bash-tool.jsonl')).toEqual([
      { kind: 'session', id: '78fce58b-7bbb-4940-a6c2-91380fe59636', model: 'claude-opus-5-5' },
      { kind: 'text', text: 'I will list the files.' },
      { kind: 'tool_use', id: 'toolu_mock3', name: 'Bash', input: { command: 'ls', description: 'List files' } },
      { kind: 'tool_result', id: 'toolu_mock3', name: 'Bash', output: 'README.md\nsrc', isError: false },
      { kind: 'text', text: '\n\nThe directory has a few files.' },
      usage(24, 18, 0.000456),
      { kind: 'final', text: 'The directory has a few files.' },
    ]);
  });

  it('permission denied: a warning and an error tool_result, the run still succeeds', () => {
    const denial =
      "touch in '/home/user/project/newfile.txt' needs approval. The path is inside the working directories for this session ('/home/user/project'), and Claude Code asks before a shell command creates, changes or removes files there.";
    const events = feedSample(stream(), 'claude/stream-json-permission-denied.jsonl');
    expect(events.slice(2, 5)).toEqual([
      { kind: 'tool_use', id: 'toolu_mock1', name: 'Bash', input: { command: 'touch newfile.txt', description: 'List files' } },
      { kind: 'warning', message: `claude denied Bash: ${denial}` },
      { kind: 'tool_result', id: 'toolu_mock1', name: 'Bash', output: denial, isError: true },
    ]);
    expect(events.some((e) => e.kind === 'error')).toBe(false);
  });

  it('not logged in: no text from the synthetic message, a fatal auth error', () => {
    for (const [file, id] of [
      ['claude/stream-json-not-logged-in.jsonl', '6f6cec5f-86de-4f54-9f39-30f34b1a0da5'],
      ['claude/stream-json-not-logged-in-2.1.197.jsonl', '3f016d7c-b517-4825-b4db-fae0ae1b0dfb'],
    ] as const) {
      const events = feedSample(stream(), file, { code: 1 });
      expect(events.slice(1)).toEqual([usage(0, 0, 0), { kind: 'error', message: 'Not logged in · Please run /login', fatal: true, category: 'auth' }]);
      expect(events[0]).toMatchObject({ kind: 'session', id });
    }
  });

  it('401: auth error', () => {
    expect(feedSample(stream(), 'claude/stream-json-invalid-api-key-401.jsonl', { code: 1 }).at(-1)).toEqual({
      kind: 'error', message: 'Invalid API key · Fix external API key', fatal: true, category: 'auth',
    });
  });

  it('529 overloaded after retries: retry warnings, then a fatal error', () => {
    const events = feedSample(stream(), 'claude/stream-json-api-retry-529.jsonl', { code: 1 });
    expect(events.slice(1, 3)).toEqual([
      { kind: 'warning', message: 'claude API retry 1/2: overloaded (529)' },
      { kind: 'warning', message: 'claude API retry 2/2: overloaded (529)' },
    ]);
    expect(events.at(-1)).toMatchObject({ kind: 'error', fatal: true, category: 'other' });
    expect((events.at(-1) as { message: string }).message).toMatch(/^API Error: 529 Overloaded\./);
    expect(events.filter((e) => e.kind === 'text')).toEqual([]);
  });

  it('malformed and blank lines are skipped with a warning, never thrown', () => {
    const lines = sample('claude/stream-json-include-partial-messages.jsonl').split('\n');
    const mixed = [lines[0], 'not json at all', '', '   ', '[1,2]', '{"no_type":1}', ...lines.slice(1)].join('\n');
    const events = feed(stream(), mixed);
    expect(events.filter((e) => e.kind === 'warning')).toEqual([
      { kind: 'warning', message: 'skipped unreadable claude output: not json at all' },
      { kind: 'warning', message: 'skipped unreadable claude output: [1,2]' },
      { kind: 'warning', message: 'skipped unreadable claude output: {"no_type":1}' },
    ]);
    expect(events.filter((e) => e.kind === 'text').map((e) => (e as { text: string }).text).join('')).toBe('Hello from the mock.');
    expect(events.at(-1)).toEqual({ kind: 'final', text: 'Hello from the mock.' });
  });

  it('a flag error on stderr with no result becomes the fatal error', () => {
    expect(feed(stream(), '', { code: 1, stderr: sample('claude/unknown-flag.txt') })).toEqual([
      { kind: 'error', message: "error: unknown option '--bogus-flag'", fatal: true, category: 'other' },
    ]);
    expect(feed(stream(), '', { code: 1, stderr: '' })).toEqual([
      { kind: 'error', message: 'claude exited with code 1 and printed no result', fatal: true, category: 'other' },
    ]);
  });

  it('a usage limit result is rate_limit with the reset time', () => {
    const reset = Math.floor(Date.now() / 1000) + 600;
    const line = JSON.stringify({ type: 'result', subtype: 'success', is_error: true, result: `Claude AI usage limit reached|${reset}`, session_id: 's1', usage: {} });
    const err = feed(stream(), line, { code: 1 }).at(-1) as { category: string; retryAfterSeconds: number };
    expect(err).toMatchObject({ kind: 'error', fatal: true, category: 'rate_limit' });
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(598);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(600);
  });
});

describe('claude json', () => {
  it('success object', () => {
    expect(feedSample(json(), 'claude/json-success.json')).toEqual([
      { kind: 'session', id: 'b8894406-7f7d-407c-b602-a4a7560fa6d9' },
      usage(12, 9, 0.000228),
      { kind: 'final', text: 'Hello from the mock.' },
    ]);
  });
  it('array (json --verbose)', () => {
    expect(feedSample(json(), 'claude/json-with-verbose-is-an-array.json')).toEqual([
      { kind: 'session', id: 'cdb6e2db-7701-4ed7-b8a2-8921fc5a9ac6', model: 'claude-opus-5-5' },
      { kind: 'text', text: 'Hello from the mock.' },
      usage(12, 9, 0.000228),
      { kind: 'final', text: 'Hello from the mock.' },
    ]);
  });
  it('max turns: fatal error from errors[]', () => {
    expect(feedSample(json(), 'claude/json-error-max-turns.json', { code: 1 })).toEqual([
      { kind: 'session', id: 'a846c6ad-e74f-4a79-9a5e-19f3c4be0a15' },
      usage(12, 9, 0.000228),
      { kind: 'error', message: 'Reached maximum number of turns (1)', fatal: true, category: 'other' },
    ]);
  });
  it('not logged in, 401, 529', () => {
    expect(feedSample(json(), 'claude/json-not-logged-in.json', { code: 1 }).at(-1)).toEqual({
      kind: 'error', message: 'Not logged in · Please run /login', fatal: true, category: 'auth',
    });
    expect(feedSample(json(), 'claude/json-invalid-api-key-401.json', { code: 1 }).at(-1)).toMatchObject({ category: 'auth', fatal: true });
    expect(feedSample(json(), 'claude/json-overloaded-529.json', { code: 1 }).at(-1)).toMatchObject({ category: 'other', fatal: true });
  });
  it('garbage is a warning, and the exit code still reports the failure', () => {
    expect(feed(json(), 'oops {', { code: 1 })).toEqual([
      { kind: 'warning', message: 'skipped unreadable claude output: oops {' },
      { kind: 'error', message: 'claude exited with code 1 and printed no result', fatal: true, category: 'other' },
    ]);
  });
});
