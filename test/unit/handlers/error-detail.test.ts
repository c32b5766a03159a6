// An error's `detail` (paths on this machine) never reaches an HTTP or MCP caller; the server log keeps
// it under the request id the caller was given.
import { describe, expect, it } from 'vitest';
import { ClinvkError } from '../../../runtime/contract.ts';
import { errorResult } from '../../../mcp/tools/common.ts';
import { captureLogger, fakeRuntime, json, testApp, url } from './fake-runtime.ts';

const SECRET_PATH = '/home/bob/.local/bin/codex';
const refused = () => new ClinvkError('BACKEND_UNAVAILABLE', 'Codex: the command set in backends.codex.command was not found', { detail: `${SECRET_PATH} does not exist` });

describe('error detail', () => {
  it('is left out of the REST, OpenAI and Anthropic answers and logged with the request id', async () => {
    const rt = fakeRuntime(() => ({ throws: refused() }));
    const app = testApp(rt);
    const calls: [string, unknown][] = [
      ['/api/v1/prompt', { backend: 'codex', prompt: 'hi' }],
      ['/openai/v1/chat/completions', { model: 'codex', messages: [{ role: 'user', content: 'hi' }] }],
      ['/anthropic/v1/messages', { model: 'codex', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }],
    ];
    for (const [path, body] of calls) {
      const res = await app.fetch(new Request(url(path), json(body)));
      expect(res.status, path).toBe(503);
      const text = await res.text();
      expect(text, path).toContain('backends.codex.command');
      expect(text, path).not.toContain('/home/bob');
      const id = res.headers.get('x-request-id');
      const line = rt.logger.lines.find((l) => (l.obj as { request_id?: string }).request_id === id && (l.obj as { detail?: string }).detail);
      expect(line?.obj, path).toMatchObject({ code: 'BACKEND_UNAVAILABLE', detail: `${SECRET_PATH} does not exist` });
    }
  });

  it('/health (open without a key) does not repeat a store error’s own message', async () => {
    const rt = fakeRuntime();
    rt.sessions.count = async () => {
      throw new Error("ENOTDIR: not a directory, open '/home/bob/.clinvk/sessions/index.json'");
    };
    const body = await (await testApp(rt).fetch(new Request(url('/health')))).text();
    expect(body).toContain('"available":false');
    expect(body).not.toContain('/home/bob');
  });

  it('MCP tool errors: a ClinvkError without its detail, anything else as INTERNAL, both logged', () => {
    const log = captureLogger();
    expect(JSON.stringify(errorResult(refused(), log))).not.toContain('/home/bob');
    const bug = errorResult(new Error(`EACCES: permission denied, open '${SECRET_PATH}'`), log);
    expect(bug).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/^INTERNAL: /) }] });
    expect(JSON.stringify(bug)).not.toContain('/home/bob');
    expect(log.lines.map((l) => l.level)).toEqual(['warn', 'error']);
  });
});
