// How each backend's argv offers the caller's own tools (ArgvRequest.clientTools, a per-run MCP server).
import { describe, expect, it } from 'vitest';
import { claude } from '../../../runtime/backends/claude.ts';
import { codex } from '../../../runtime/backends/codex.ts';
import { gemini } from '../../../runtime/backends/gemini.ts';
import type { ArgvRequest } from '../../../runtime/backends/types.ts';
import type { ClientToolServer } from '../../../runtime/tool-bridge.ts';

const base: ArgvRequest = { prompt: '--hi', workdir: '/w', approvalMode: 'default', sandboxMode: 'default', extra: [], ephemeral: false };
const tools: ClientToolServer = { name: 'client', url: 'http://127.0.0.1:4242/run/tok/mcp', timeoutMs: 300_000, builtinTools: true, toolNames: ['get_weather'] };

describe('claude', () => {
  it('loads the bridge with --mcp-config, pre-approves its tools, and keeps the prompt after --', () => {
    const b = claude.buildArgs({ ...base, allowedTools: ['Read'], clientTools: tools });
    const config = JSON.parse(b.args[b.args.indexOf('--mcp-config') + 1]!);
    expect(config).toEqual({ mcpServers: { client: { type: 'http', url: tools.url } } });
    const allowed = b.args.indexOf('--allowedTools');
    expect(b.args.slice(allowed + 1, allowed + 3)).toEqual(['Read', 'mcp__client']);
    expect(b.args.slice(-2)).toEqual(['--', '--hi']);
    expect(b.args).not.toContain('--strict-mcp-config');
    expect(b.env).toMatchObject({ MCP_TOOL_TIMEOUT: '330000', ENABLE_TOOL_SEARCH: 'false' });
  });

  it('builtin tools off: --tools "" and --strict-mcp-config', () => {
    const b = claude.buildArgs({ ...base, clientTools: { ...tools, builtinTools: false } });
    expect(b.args).toEqual(expect.arrayContaining(['--strict-mcp-config']));
    expect(b.args[b.args.indexOf('--tools') + 1]).toBe('');
  });

  it('the live mode takes the same flags (a warm start with tools would carry them)', () => {
    const b = claude.warm!.spawn({ ...base, clientTools: tools });
    expect(b.args).toContain('--mcp-config');
  });
});

describe('codex', () => {
  it('adds the server as -c overrides, on a fresh run and on a resume', () => {
    for (const req of [base, { ...base, resumeId: 'thread-1' }]) {
      const b = codex.buildArgs({ ...req, clientTools: tools });
      expect(b.args).toEqual(expect.arrayContaining(['-c', `mcp_servers.client.url="${tools.url}"`, '-c', 'mcp_servers.client.tool_timeout_sec=330', '-c', 'mcp_servers.client.default_tools_approval_mode="approve"']));
      expect(b.args.indexOf('-c')).toBeLessThan(b.args.indexOf('--'));
      expect(b.warnings).toEqual([]);
    }
  });

  it('builtin tools cannot be turned off: a warning, not a silent drop', () => {
    expect(codex.buildArgs({ ...base, clientTools: { ...tools, builtinTools: false } }).warnings).toEqual([expect.stringMatching(/codex has no flag to turn its own tools off/)]);
  });
});

describe('gemini', () => {
  it('names its per-run home in the env; its settings add the server, trusted', () => {
    const b = gemini.buildArgs({ ...base, clientTools: tools, clientToolsHome: '/tmp/clinvk-home-x' });
    expect(b.env).toEqual({ GEMINI_CLI_HOME: '/tmp/clinvk-home-x' });
    expect(b.args).not.toContain('--allowed-mcp-server-names');
    expect(b.args.at(-1)).toBe('--prompt=--hi');
    expect(gemini.clientToolsHome!.settings(tools)).toEqual({ mcpServers: { client: { httpUrl: tools.url, trust: true, timeout: 330_000 } } });
    expect(gemini.clientToolsHome!.home({ HOME: '/h' })).toBe('/h');
    expect(gemini.clientToolsHome!.home({ HOME: '/h', GEMINI_CLI_HOME: '/g' })).toBe('/g');
  });

  it('builtin tools off: an empty tools.core and only the client server', () => {
    const off = { ...tools, builtinTools: false };
    expect(gemini.buildArgs({ ...base, clientTools: off }).args).toEqual(expect.arrayContaining(['--allowed-mcp-server-names', 'client']));
    expect(gemini.clientToolsHome!.settings(off).tools).toEqual({ core: [] });
  });

  it('a dry run (no file yet) shows a placeholder; without tools there is no env', () => {
    expect(gemini.buildArgs({ ...base, clientTools: tools }).env?.GEMINI_CLI_HOME).toBe('<temp>/gemini-home');
    expect(gemini.buildArgs(base).env).toBeUndefined();
  });
});

it('every backend declares client tools', () => {
  expect(claude.clientTools && codex.clientTools && gemini.clientTools).toBe(true);
});
