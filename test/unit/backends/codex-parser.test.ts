// The codex parser on real codex 0.169.0 `exec --json` output (test/fixtures/samples/codex/).
import { describe, expect, it } from 'vitest';
import { codex } from '../../../runtime/backends/codex.ts';
import { feed, feedSample, sample } from './samples.ts';

const parser = () => codex.createParser();
const usage = (inputTokens: number, cachedTokens: number, outputTokens: number, reasoningTokens: number) => ({
  kind: 'usage', scope: 'thread', usage: { inputTokens, cachedTokens, outputTokens, reasoningTokens },
});
const MODEL_WARNING = { kind: 'warning', message: 'Model metadata for `gpt-mock-1` not found. Defaulting to fallback metadata; this can degrade performance and cause issues.' };

describe('codex exec --json', () => {
  it('simple answer (reasoning ignored)', () => {
    expect(feedSample(parser(), 'codex/exec-json-simple.jsonl')).toEqual([
      { kind: 'session', id: '01a20b2e-536d-7612-b546-124f75092d7c' },
      { kind: 'text', text: 'Hello from the mock.' },
      usage(1200, 1024, 30, 8),
    ]);
  });
  it('item type error is a warning', () => {
    expect(feedSample(parser(), 'codex/exec-json-simple-with-unknown-model-warning.jsonl')).toEqual([
      { kind: 'session', id: '01a20b2e-536d-7612-b546-124f75092d7c' },
      MODEL_WARNING,
      { kind: 'text', text: 'Hello from the mock.' },
      usage(1200, 1024, 30, 8),
    ]);
  });
  it('command execution: tool_use on start, tool_result on completion', () => {
    expect(feedSample(parser(), 'codex/exec-json-command.jsonl')).toEqual([
      { kind: 'session', id: '01a20b2e-a2e6-7832-bf2a-cb774efb0ac2' },
      { kind: 'tool_use', id: 'item_2', name: 'shell', input: { command: '/bin/bash -lc ls' } },
      { kind: 'tool_result', id: 'item_2', name: 'shell', output: 'README.md\nsrc\n', isError: false },
      { kind: 'text', text: 'The command ran.' },
      usage(2400, 2048, 60, 16),
    ]);
  });
  it('a failed command is an error tool_result, not a failed run', () => {
    const events = feedSample(parser(), 'codex/exec-json-command-failed.jsonl');
    expect(events[2]).toEqual({ kind: 'tool_result', id: 'item_2', name: 'shell', output: '', isError: true });
    expect(events.some((e) => e.kind === 'error')).toBe(false);
  });
  it('file change', () => {
    const changes = [{ path: '/home/user/project/README.md', kind: 'update' }, { path: '/home/user/project/hello.txt', kind: 'add' }];
    expect(feedSample(parser(), 'codex/exec-json-file-change.jsonl').slice(1, 3)).toEqual([
      { kind: 'tool_use', id: 'item_2', name: 'file_change', input: { changes } },
      { kind: 'tool_result', id: 'item_2', name: 'file_change', output: 'update /home/user/project/README.md\nadd /home/user/project/hello.txt', isError: false },
    ]);
  });
  it('resume: the same thread id; usage is the thread total', () => {
    expect(feedSample(parser(), 'codex/exec-json-resume.jsonl')).toEqual([
      { kind: 'session', id: '01a20b38-fb3f-7432-861c-e87352424654' },
      { kind: 'text', text: 'Hello from the mock.' },
      usage(2400, 2048, 60, 16),
    ]);
  });
  it('401: reconnect notices are non-fatal, turn.failed is a fatal auth error', () => {
    const events = feedSample(parser(), 'codex/exec-json-turn-failed-401.jsonl', { code: 1 });
    const msg = 'unexpected status 401 Unauthorized: Incorrect API key provided: sk-mock. You can find your API key at https://platform.openai.com/account/api-keys., url: http://127.0.0.1:18091/v1/responses';
    expect(events.slice(0, 3)).toEqual([
      { kind: 'session', id: '01a20b30-521f-7470-8020-945561127c95' },
      MODEL_WARNING,
      { kind: 'error', message: `Reconnecting... 1/5 (${msg})`, fatal: false, category: 'auth' },
    ]);
    expect(events.filter((e) => e.kind === 'error' && e.fatal)).toEqual([{ kind: 'error', message: msg, fatal: true, category: 'auth' }]);
    expect(events.at(-1)).toEqual({ kind: 'error', message: msg, fatal: true, category: 'auth' });
  });
  it('missing key env: turn.failed is auth; the exit code adds nothing more', () => {
    expect(feedSample(parser(), 'codex/exec-json-turn-failed-missing-env-key.jsonl', { code: 1 }).slice(2)).toEqual([
      { kind: 'error', message: 'Missing environment variable: `MOCK_API_KEY`.', fatal: false, category: 'auth' },
      { kind: 'error', message: 'Missing environment variable: `MOCK_API_KEY`.', fatal: true, category: 'auth' },
    ]);
  });
  it('no network: only non-fatal notices while it retries', () => {
    const events = feedSample(parser(), 'codex/exec-json-no-network-hangs.jsonl', { code: null });
    expect(events[1]).toEqual({
      kind: 'error', message: 'Reconnecting... 2/5 (stream disconnected before completion: failed to lookup address information: Name does not resolve)', fatal: false, category: 'other',
    });
    expect(events.filter((e) => e.kind === 'error' && e.fatal)).toEqual([]);
  });
  it('a usage limit ends the run as rate_limit once, with the reset time', () => {
    const msg = "You've hit your usage limit. Upgrade to Pro or try again in 1 hour 30 minutes.";
    const out = feed(parser(), [JSON.stringify({ type: 'error', message: msg }), JSON.stringify({ type: 'turn.failed', error: { message: msg } })].join('\n'), { code: 1 });
    expect(out).toEqual([{ kind: 'error', message: msg, fatal: true, category: 'rate_limit', retryAfterSeconds: 5400 }]);
  });
  it('several agent messages are joined with a blank line; older event names work', () => {
    const lines = [
      '{"type":"item.completed","item":{"id":"item_0","item_type":"assistant_message","text":"One."}}',
      '{"type":"item.completed","item":{"id":"item_1","type":"agent_message","text":"Two."}}',
      '{"id":"0","msg":{"type":"agent_message","message":"Three."}}',
    ];
    expect(feed(parser(), lines.join('\n'))).toEqual([
      { kind: 'text', text: 'One.' },
      { kind: 'text', text: '\n\nTwo.' },
      { kind: 'text', text: '\n\nThree.' },
    ]);
  });
  it('mcp tool call and web search completed without a start', () => {
    const lines = [
      '{"type":"item.completed","item":{"id":"item_5","type":"mcp_tool_call","server":"docs","tool":"search","arguments":{"q":"x"},"result":{"content":[{"type":"text","text":"found"}]},"error":null,"status":"completed"}}',
      '{"type":"item.completed","item":{"id":"item_6","type":"web_search","query":"clinvk"}}',
    ];
    expect(feed(parser(), lines.join('\n'))).toEqual([
      { kind: 'tool_use', id: 'item_5', name: 'docs.search', input: { q: 'x' } },
      { kind: 'tool_result', id: 'item_5', name: 'docs.search', output: 'found', isError: false },
      { kind: 'tool_use', id: 'item_6', name: 'web_search', input: { query: 'clinvk' } },
      { kind: 'tool_result', id: 'item_6', name: 'web_search', output: 'clinvk', isError: false },
    ]);
  });
  it('malformed lines mixed in are skipped with a warning', () => {
    const lines = sample('codex/exec-json-simple.jsonl').split('\n');
    const mixed = ['Reading additional input from stdin...', ...lines.slice(0, 2), '{"type":', '', ...lines.slice(2)].join('\n');
    expect(feed(parser(), mixed)).toEqual([
      { kind: 'warning', message: 'skipped unreadable codex output: Reading additional input from stdin...' },
      { kind: 'session', id: '01a20b2e-536d-7612-b546-124f75092d7c' },
      { kind: 'warning', message: 'skipped unreadable codex output: {"type":' },
      { kind: 'text', text: 'Hello from the mock.' },
      usage(1200, 1024, 30, 8),
    ]);
  });
  it('stderr errors when nothing fatal came on stdout', () => {
    const exit = (file: string, code: number) => feed(parser(), '', { code, stderr: sample(file) });
    expect(exit('codex/flag-error.stderr', 2)).toEqual([{ kind: 'error', message: "error: unexpected argument '--bogus-flag' found", fatal: true, category: 'other' }]);
    expect(exit('codex/not-a-git-repo.stderr', 1)).toEqual([
      { kind: 'error', message: 'Not inside a trusted directory and --skip-git-repo-check was not specified.', fatal: true, category: 'other' },
    ]);
    expect(exit('codex/resume-unknown-id.stderr', 1)).toEqual([
      { kind: 'error', message: 'Error: thread/resume: thread/resume failed: no rollout found for thread id 01a20b2e-0000-7000-8000-000000000000 (code -32600)', fatal: true, category: 'other' },
    ]);
    expect(feed(parser(), '', { code: 0, stderr: 'noise' })).toEqual([]);
  });
});
