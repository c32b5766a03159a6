// The caller's own tools on gemini (cold runs). gemini 0.61 takes MCP servers only from its settings files,
// so the run's server goes in a per-run *system* settings file (GEMINI_CLI_SYSTEM_SETTINGS_PATH): system
// settings take precedence, and `mcpServers` merges by server name, so the user's own servers stay and
// their settings files are never touched.
import type { ClientToolServer } from '../tool-bridge.ts';

/** In a dry run's env, where the real run names its settings file. */
export const TOOL_SETTINGS_PLACEHOLDER = '<temp>/gemini-system-settings.json';

/**
 * `httpUrl` = Streamable HTTP. `trust: true`: headless gemini cannot ask for a confirmation, and the caller
 * asked for these tools to be offered. `timeout` (ms): gemini's wait for one call, past the bridge's own.
 * Builtin tools off: `tools.core: []` (an empty allow-list of gemini's own tools).
 */
export function geminiToolSettings(t: ClientToolServer): { name: string; content: string } {
  const settings = {
    mcpServers: { [t.name]: { httpUrl: t.url, trust: true, timeout: t.timeoutMs + 30_000 } },
    ...(t.builtinTools ? {} : { tools: { core: [] } }),
  };
  return { name: 'gemini-system-settings.json', content: JSON.stringify(settings) };
}

/** Points gemini at the settings file; builtin tools off also drops the user's own MCP servers. */
export function geminiToolArgs(t: ClientToolServer, file: string | undefined, env: Record<string, string>): string[] {
  env.GEMINI_CLI_SYSTEM_SETTINGS_PATH = file ?? TOOL_SETTINGS_PLACEHOLDER;
  return t.builtinTools ? [] : ['--allowed-mcp-server-names', t.name];
}
