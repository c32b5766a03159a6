// The gemini parser on real gemini 0.61.0 output (test/fixtures/samples/gemini/).
import { describe, expect, it } from 'vitest';
import { gemini } from '../../../runtime/backends/gemini.ts';
import { feed, feedSample, sample } from './samples.ts';

const stream = () => gemini.createParser();
const json = () => gemini.createParser({ format: 'json' });
const AUTH_MSG =
  'Please set an Auth method in your /home/user2/.gemini/settings.json or specify one of the following environment variables before running: GEMINI_API_KEY, GOOGLE_GENAI_USE_VERTEXAI, GOOGLE_GENAI_USE_GCA';

describe('gemini stream-json', () => {
  it('simple: session, deltas (user echo ignored), usage', () => {
    expect(feedSample(stream(), 'gemini/stream-json-simple.jsonl')).toEqual([
      { kind: 'session', id: '8e25aac6-f88e-460f-8dc5-f8c1b57a4943', model: 'auto' },
      { kind: 'text', text: 'Hello from ' },
      { kind: 'text', text: 'the mock.' },
      { kind: 'usage', scope: 'run', usage: { inputTokens: 16460, outputTokens: 22, cachedTokens: 12200 } },
    ]);
  });
  it('tool use (yolo): tool_use, tool_result, text after the tool on a new paragraph', () => {
    const id = 'run_shell_command__run_shell_command_1795484169952_0';
    expect(feedSample(stream(), 'gemini/stream-json-shell-tool-yolo.jsonl')).toEqual([
      { kind: 'session', id: 'f2fd9539-436d-46f9-873c-6a1dca180b47', model: 'auto' },
      { kind: 'text', text: 'Listing files.' },
      { kind: 'tool_use', id, name: 'run_shell_command', input: { command: 'ls', description: 'list' } },
      { kind: 'tool_result', id, name: 'run_shell_command', output: 'README.md\nhello.txt\nsrc', isError: false },
      { kind: 'text', text: '\n\nThe directory has ' },
      { kind: 'text', text: 'a few files.' },
      { kind: 'usage', scope: 'run', usage: { inputTokens: 24690, outputTokens: 33, cachedTokens: 18300 } },
    ]);
  });
  it('a tool that is not offered in default mode is an error tool_result; the run succeeds', () => {
    const events = feedSample(stream(), 'gemini/stream-json-shell-tool-default-mode.jsonl');
    expect(events[3]).toEqual({
      kind: 'tool_result',
      id: 'run_shell_command__run_shell_command_1795484166684_0',
      name: 'run_shell_command',
      output: 'Tool "run_shell_command" not found. Did you mean one of: "update_topic", "grep_search", "invoke_agent"?',
      isError: true,
    });
    expect(events.some((e) => e.kind === 'error')).toBe(false);
  });
  it('API error 400 (exit 144): result status error is fatal, the inner message is shown', () => {
    expect(feedSample(stream(), 'gemini/stream-json-api-error-400.jsonl', { code: 144 })).toEqual([
      { kind: 'session', id: '32da959c-cffa-48d0-bb79-ed8a01c5bdb7', model: 'gemini-3.8-flash' },
      { kind: 'usage', scope: 'run', usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0 } },
      { kind: 'error', message: 'API key not valid. Please pass a valid API key.', fatal: true, category: 'auth' },
    ]);
  });
  it('error events are non-fatal; a 429 result is rate_limit', () => {
    const lines = [
      '{"type":"error","timestamp":"t","severity":"warning","message":"Loop detected"}',
      '{"type":"result","status":"error","error":{"type":"unknown","message":"[API Error: {\\"error\\":{\\"code\\":429,\\"message\\":\\"Resource has been exhausted\\"}}]"},"stats":{"input_tokens":1,"output_tokens":2,"cached":0}}',
    ];
    expect(feed(stream(), lines.join('\n'), { code: 173 })).toEqual([
      { kind: 'error', message: 'Loop detected', fatal: false },
      { kind: 'usage', scope: 'run', usage: { inputTokens: 1, outputTokens: 2, cachedTokens: 0 } },
      { kind: 'error', message: 'Resource has been exhausted', fatal: true, category: 'rate_limit' },
    ]);
  });
  it('no auth (exit 41, plain stderr, no events): fatal auth error', () => {
    expect(feed(stream(), '', { code: 41, stderr: sample('gemini/no-auth.stderr') })).toEqual([{ kind: 'error', message: AUTH_MSG, fatal: true, category: 'auth' }]);
  });
  it('untrusted dir (55) and unknown flag (1): the backend message, colour codes removed', () => {
    expect(feed(stream(), '', { code: 55, stderr: sample('gemini/untrusted-dir.stderr') })[0]).toMatchObject({
      kind: 'error', fatal: true, category: 'other', message: expect.stringMatching(/^Gemini CLI is not running in a trusted directory\. .*environments$/),
    });
    expect(feed(stream(), '', { code: 1, stderr: sample('gemini/flag-error.stderr') })).toEqual([
      { kind: 'error', message: 'Unknown arguments: bogus-flag, bogusFlag', fatal: true, category: 'other' },
    ]);
  });
  it('malformed lines mixed in are skipped with a warning', () => {
    const lines = sample('gemini/stream-json-simple.jsonl').split('\n');
    const mixed = ['Warning: 256-color support not detected', lines[0], '{broken', '', ...lines.slice(1)].join('\n');
    const events = feed(stream(), mixed);
    expect(events.slice(0, 3)).toEqual([
      { kind: 'warning', message: 'skipped unreadable gemini output: Warning: 256-color support not detected' },
      { kind: 'session', id: '8e25aac6-f88e-460f-8dc5-f8c1b57a4943', model: 'auto' },
      { kind: 'warning', message: 'skipped unreadable gemini output: {broken' },
    ]);
    expect(events.filter((e) => e.kind === 'text').length).toBe(2);
  });
});

describe('gemini json', () => {
  it('pretty-printed object without a trailing newline: session, usage summed over models, final', () => {
    const body = sample('gemini/json-success.json');
    expect(body.endsWith('\n')).toBe(false);
    expect(feed(json(), body)).toEqual([
      { kind: 'session', id: '5336d011-063b-45a9-9022-f3c17388a97c' },
      { kind: 'usage', scope: 'run', usage: { inputTokens: 16460, outputTokens: 22, cachedTokens: 12200, reasoningTokens: 98 } },
      { kind: 'final', text: 'Hello from the mock.' },
    ]);
  });
  it('no auth: the error object on stderr (exit 41)', () => {
    expect(feed(json(), '', { code: 41, stderr: sample('gemini/json-no-auth.stderr') })).toEqual([
      { kind: 'session', id: '89c40e0f-8cb1-4bad-b456-ca7899e3dabc' },
      { kind: 'error', message: AUTH_MSG, fatal: true, category: 'auth' },
    ]);
  });
  it('API error 400: the error object after a stack trace on stderr', () => {
    expect(feed(json(), '', { code: 144, stderr: sample('gemini/json-api-error-400.stderr') })).toEqual([
      { kind: 'session', id: 'be47b1d4-6ee0-4173-974a-b5b8016b7fe9' },
      { kind: 'error', message: 'API key not valid. Please pass a valid API key.', fatal: true, category: 'auth' },
    ]);
  });
  it('unreadable body: a warning plus the exit code failure', () => {
    expect(feed(json(), '{ "session_id": ', { code: 1 })).toEqual([
      { kind: 'warning', message: 'skipped unreadable gemini output: { "session_id":' },
      { kind: 'error', message: 'gemini exited with code 1', fatal: true, category: 'other' },
    ]);
  });
});
