// The environment the agent CLIs inherit: ours, minus what would make a CLI believe it runs nested
// inside another agent (and change its behaviour), and minus our own secrets.

/** Exact names dropped from the child's environment. */
export const NESTED_AGENT_ENV = [
  // Claude Code marks the tool subprocesses it starts (backends-detail §1.8).
  'CLAUDECODE',
  'CLAUDE_CODE_ENTRYPOINT',
  'CLAUDE_CODE_SSE_PORT',
  // Codex sets these inside its sandboxed tool runs (§2.6); a nested codex would think it is sandboxed.
  'CODEX_SANDBOX',
  'CODEX_SANDBOX_NETWORK_DISABLED',
  // Gemini CLI marks its shell-tool subprocesses (§3.6).
  'GEMINI_CLI',
  // clinvk's own server keys are never the backends' business.
  'CLINVK_API_KEYS',
  'CLINVK_API_KEYS_FILE',
] as const;

/** Prefixes dropped as a whole (partial names the lists above may miss in newer CLI versions). */
export const NESTED_AGENT_ENV_PREFIXES = ['CODEX_SANDBOX_', 'CLINVK_API_KEYS'] as const;

const dropped = new Set<string>(NESTED_AGENT_ENV);

export function childEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || dropped.has(k) || NESTED_AGENT_ENV_PREFIXES.some((p) => k.startsWith(p))) continue;
    out[k] = v;
  }
  return out;
}
