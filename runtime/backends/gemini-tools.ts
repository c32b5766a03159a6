// The caller's own tools on gemini (cold runs). gemini 0.61 takes MCP servers only from its settings files,
// and skips a system settings file (GEMINI_CLI_SYSTEM_SETTINGS_PATH) that is not root-owned in root-owned
// folders. So the run gets its own gemini home (GEMINI_CLI_HOME): a private folder whose `.gemini` links
// every entry of the user's `~/.gemini` (auth, sessions…) except `settings.json`, which is the user's
// settings with the run's server added. The user's files are never written.
import type { ClientToolServer } from '../tool-bridge.ts';
import type { HomeOverlaySpec } from './types.ts';

/** In a dry run's env, where the real run's gemini home is. */
export const TOOL_HOME_PLACEHOLDER = '<temp>/gemini-home';

export const geminiToolHome: HomeOverlaySpec = {
  dirName: '.gemini',
  settingsFile: 'settings.json',
  home: (env) => env.GEMINI_CLI_HOME || env.HOME || undefined,
  /**
   * `httpUrl` = Streamable HTTP. `trust: true`: headless gemini cannot ask for a confirmation, and the caller
   * asked for these tools to be offered. `timeout` (ms): gemini's wait for one call, past the bridge's own.
   * Builtin tools off: `tools.core: []` (an empty allow-list of gemini's own tools).
   */
  settings: (t: ClientToolServer) => ({
    mcpServers: { [t.name]: { httpUrl: t.url, trust: true, timeout: t.timeoutMs + 30_000 } },
    ...(t.builtinTools ? {} : { tools: { core: [] } }),
  }),
};

/** Points gemini at the run's home; builtin tools off also drops the user's own MCP servers. */
export function geminiToolArgs(t: ClientToolServer, home: string | undefined, env: Record<string, string>): string[] {
  env.GEMINI_CLI_HOME = home ?? TOOL_HOME_PLACEHOLDER;
  return t.builtinTools ? [] : ['--allowed-mcp-server-names', t.name];
}
