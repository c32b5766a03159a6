// Claude Code and Codex as MCP clients of `clinvk mcp` (stdio) and of `/mcp` on `clinvk serve`, with an
// answer larger than one page: what reaches the client's model must lead to the rest (issue 22).
// The client's model is a mock that calls clinvk_prompt, then follows next_page with clinvk_result.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLINVK, type Mocks, realSandbox, run, sandbox, serve, skipUnless } from './harness.ts';
import { longText } from './mocks/common.ts';

const KEY = 'clinvk-test-key';
// One page is 20,000 tokens (about 80,000 characters): two pages.
const WHOLE = 100_000;
const ask = (backend: string) => `CALL_TOOL:clinvk_prompt {"backend":"${backend}","prompt":"MOCK_LONG:${WHOLE}"}\nFOLLOW_PAGES`;

type Block = { type: string; name?: string; content?: unknown };
/** The tool calls a Claude Code client made and the tool results its model got, in order. */
function claudeCodeToolTraffic(mocks: Mocks) {
  const last = mocks.anthropic.requests.filter((r) => r.url.startsWith('/v1/messages?')).at(-1)!;
  const all: Block[] = (last.body.messages as { content: Block[] | string }[]).flatMap((m) => (typeof m.content === 'string' ? [] : m.content));
  return {
    calls: all.filter((b) => b.type === 'tool_use').map((b) => b.name),
    results: all.filter((b) => b.type === 'tool_result').map((b) => (typeof b.content === 'string' ? b.content : JSON.stringify(b.content))),
  };
}

describe.skipIf(skipUnless('claude', 'codex'))('agent CLIs as MCP clients of clinvk', () => {
  const ctx = realSandbox({ apiKey: KEY });
  // Plain `it`, one test at a time: each reads the Anthropic mock's newest request as its client's last model call, and
  // the clinvk runs inside the other tests (a claude backend) talk to the same mock.

  const claudeWith = (server: Record<string, unknown>) =>
    run('claude', ['-p', ask('codex'), '--mcp-config', JSON.stringify({ mcpServers: { clinvk: server } }), '--allowedTools', 'mcp__clinvk__clinvk_prompt', 'mcp__clinvk__clinvk_result'], {
      // Claude Code defers MCP tools behind its ToolSearch tool; listed directly, the mock can call them.
      env: { ...ctx.sb.env, ENABLE_TOOL_SEARCH: 'false' },
      cwd: ctx.sb.workdir,
    });

  /** Page 1 must name the way on within what the model is shown; clinvk_result then gives the end. */
  function expectPagedThrough(calls: (string | undefined)[], results: string[]) {
    expect(calls).toEqual([expect.stringMatching(/clinvk_prompt$/), expect.stringMatching(/clinvk_result$/)]);
    expect(results[0]).toMatch(/"run_id":"run_\w+","page":1,"pages":2,"next_page":2/);
    expect(results[0]).toContain('line 000001 of a long mock answer');
    expect(results[1]).toContain('"page":2');
    expect(results[1]).toContain(longText(WHOLE).slice(-200).replace(/\n/g, '\\n'));
  }

  it('Claude Code over stdio (`clinvk mcp`)', async () => {
    const r = await claudeWith({ command: process.execPath, args: [CLINVK, 'mcp'], env: ctx.sb.env });
    expect(r.code).toBe(0);
    const { calls, results } = claudeCodeToolTraffic(ctx.mocks);
    // Claude Code saves a result this large to a file and shows its model a 2 KB preview: the paging fields lead it.
    expect(results[0]!.slice(0, 2600)).toMatch(/Preview[\s\S]*"next_page":2/);
    expectPagedThrough(calls, results);
  });

  it('Claude Code over HTTP (`/mcp` on clinvk serve, behind the API key)', async () => {
    const before = ctx.mocks.anthropic.requests.length;
    const r = await claudeWith({ type: 'http', url: `${ctx.srv.url}/mcp`, headers: { Authorization: `Bearer ${KEY}` } });
    expect(r.code).toBe(0);
    expect(ctx.mocks.anthropic.requests.length).toBeGreaterThan(before);
    const { calls, results } = claudeCodeToolTraffic(ctx.mocks);
    expectPagedThrough(calls, results);
  });

  it('Codex over stdio (`clinvk mcp`)', async () => {
    // The client's own CODEX_HOME: the codex backend keeps the sandbox's, without the MCP server.
    // `required = true`: without it codex sends its first request before a slow-starting server has
    // listed its tools, and the model never sees them (seen here under load). `codex exec` refuses MCP
    // tool calls that need approval ("approval policy is never") unless the server's tools are approved.
    const home = join(ctx.sb.home, 'codex-mcp-client');
    mkdirSync(home);
    const env = { ...ctx.sb.env, CODEX_HOME: home };
    writeFileSync(join(home, 'config.toml'), readFileSync(join(ctx.sb.env.CODEX_HOME!, 'config.toml'), 'utf8'));
    appendFileSync(join(home, 'config.toml'), `\n[mcp_servers.clinvk]\ncommand = ${JSON.stringify(process.execPath)}\nargs = ${JSON.stringify([CLINVK, 'mcp'])}\nrequired = true\nstartup_timeout_sec = 60\ndefault_tools_approval_mode = "approve"\ntool_timeout_sec = 120\n[mcp_servers.clinvk.env]\n${Object.entries(ctx.sb.env).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n')}\n`);
    const before = ctx.mocks.responses.requests.length;
    const r = await run('codex', ['exec', '--json', '--skip-git-repo-check', ask('claude')], { env, cwd: ctx.sb.workdir });
    expect(r.code).toBe(0);
    const mine = ctx.mocks.responses.requests.slice(before);
    const input: { type?: string; name?: string; output?: unknown }[] = mine.at(-1)!.body.input;
    const calls = input.filter((i) => i.type === 'function_call').map((i) => i.name);
    const results = input.filter((i) => i.type === 'function_call_output').map((i) => (typeof i.output === 'string' ? i.output : JSON.stringify(i.output)).replace(/\\"/g, '"'));
    expectPagedThrough(calls, results);
  });
});
