// snake_case JSON shapes shared by every door (CLI --json, REST, MCP structured content), so a
// session or a usage block looks the same wherever a user meets it.
import type { RunResult, Session, TokenUsage } from './contract.ts';

export interface UsageJson {
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
}

export const usageToJson = (u: TokenUsage): UsageJson => ({
  input_tokens: u.inputTokens,
  output_tokens: u.outputTokens,
  cached_tokens: u.cachedTokens,
  reasoning_tokens: u.reasoningTokens,
  total_tokens: u.inputTokens + u.outputTokens,
});

export const usageFromJson = (u: Partial<UsageJson> | undefined): TokenUsage => ({
  inputTokens: u?.input_tokens ?? 0,
  outputTokens: u?.output_tokens ?? 0,
  cachedTokens: u?.cached_tokens ?? 0,
  reasoningTokens: u?.reasoning_tokens ?? 0,
});

/** The on-disk and API form of a session (SPEC §5 field names). */
export function sessionToJson(s: Session) {
  return {
    id: s.id,
    backend: s.backend,
    created_at: s.createdAt,
    last_used: s.lastUsed,
    working_dir: s.workingDir,
    backend_session_id: s.backendSessionId,
    model: s.model,
    initial_prompt: s.initialPrompt,
    status: s.status,
    turn_count: s.turnCount,
    token_usage: usageToJson(s.tokenUsage),
    cost_usd: s.costUsd,
    tags: s.tags,
    title: s.title,
    parent_id: s.parentId,
    error_message: s.errorMessage,
    metadata: s.metadata,
  };
}
export type SessionJson = ReturnType<typeof sessionToJson>;

export function sessionFromJson(j: SessionJson): Session {
  const s: Session = {
    id: j.id,
    backend: j.backend,
    createdAt: j.created_at,
    lastUsed: j.last_used,
    workingDir: j.working_dir,
    initialPrompt: j.initial_prompt ?? '',
    status: j.status,
    turnCount: j.turn_count ?? 0,
    tokenUsage: usageFromJson(j.token_usage),
    tags: j.tags ?? [],
    title: j.title ?? '',
    metadata: j.metadata ?? {},
  };
  if (j.backend_session_id) s.backendSessionId = j.backend_session_id;
  if (j.model) s.model = j.model;
  if (j.cost_usd !== undefined) s.costUsd = j.cost_usd;
  if (j.parent_id) s.parentId = j.parent_id;
  if (j.error_message) s.errorMessage = j.error_message;
  return s;
}

/** The result of one run as REST and MCP report it (SPEC §6 /prompt response). */
export function resultToJson(r: RunResult) {
  return {
    session_id: r.sessionId,
    backend: r.backend,
    backend_session_id: r.backendSessionId,
    model: r.model,
    exit_code: r.exitCode,
    duration_ms: r.durationMs,
    output: r.output,
    token_usage: usageToJson(r.usage),
    cost_usd: r.costUsd,
    warnings: r.warnings,
    error: r.error ? { code: r.error.code, message: r.error.message, hint: r.error.hint } : undefined,
    command: r.command,
  };
}
