// snake_case JSON shapes shared by every door (CLI --json, REST, MCP structured content), so a
// session or a usage block looks the same wherever a user meets it.
import type { RunEvent, RunResult, Session, TokenUsage } from './contract.ts';

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

/** A dry run's command; `stdin_bytes` when the prompt would go on stdin rather than as the last argument. */
const commandToJson = ({ stdinBytes, ...c }: NonNullable<RunResult['command']>) => ({ ...c, ...(stdinBytes !== undefined ? { stdin_bytes: stdinBytes } : {}) });

/**
 * The result of one run as REST and MCP report it (SPEC §6 /prompt response). Every key is always
 * there, `null` when it has no value (`error` on success, `command` outside dry runs), so a client
 * can read `result.error` without checking that the key exists.
 */
export function resultToJson(r: RunResult) {
  return {
    session_id: r.sessionId ?? null,
    backend: r.backend,
    backend_session_id: r.backendSessionId ?? null,
    model: r.model ?? null,
    exit_code: r.exitCode,
    duration_ms: r.durationMs,
    output: r.output,
    token_usage: usageToJson(r.usage),
    cost_usd: r.costUsd ?? null,
    warnings: r.warnings,
    error: r.error ? { code: r.error.code, message: r.error.message, hint: r.error.hint } : null,
    command: r.command ? commandToJson(r.command) : null,
  };
}

/**
 * A RunEvent as one line of the unified event stream (SPEC §2), used by `-o stream-json`, the REST
 * NDJSON stream and the Worker's remote runtime, which reads it back with `runEventFromJson`.
 */
export function runEventToJson(ev: RunEvent, ctx: { backend: string; sessionId?: string }) {
  const base = { backend: ctx.backend, session_id: ctx.sessionId };
  switch (ev.type) {
    case 'init':
      return { type: 'init', ...base, session_id: ev.sessionId ?? ctx.sessionId, content: { model: ev.model, backend_session_id: ev.backendSessionId } };
    case 'text':
      return { type: 'message', ...base, content: { text: ev.text } };
    case 'tool_use':
      return { type: 'tool_use', ...base, content: { id: ev.id, name: ev.name, input: ev.input } };
    case 'tool_result':
      return { type: 'tool_result', ...base, content: { id: ev.id, name: ev.name, output: ev.output, is_error: ev.isError } };
    case 'warning':
      return { type: 'warning', ...base, content: { message: ev.message } };
    case 'done': {
      const r = ev.result;
      const done = { type: 'done', ...base, session_id: r.sessionId ?? ctx.sessionId, content: resultToJson(r) };
      return r.error ? [{ type: 'error', ...base, content: { code: r.error.code, message: r.error.message, hint: r.error.hint } }, done] : done;
    }
  }
}

type UnifiedLine = { type?: string; backend?: string; session_id?: string; content?: Record<string, unknown> };

/** The inverse of runEventToJson; `error` lines are folded into the following `done`. Unknown lines → undefined. */
export function runEventFromJson(line: UnifiedLine): RunEvent | undefined {
  const c = (line.content ?? {}) as Record<string, any>;
  switch (line.type) {
    case 'init':
      return { type: 'init', backend: line.backend ?? '', ...(line.session_id ? { sessionId: line.session_id } : {}), ...(c.model ? { model: c.model } : {}), ...(c.backend_session_id ? { backendSessionId: c.backend_session_id } : {}) };
    case 'message':
      return { type: 'text', text: String(c.text ?? '') };
    case 'tool_use':
      return { type: 'tool_use', name: String(c.name ?? ''), input: c.input, ...(c.id ? { id: c.id } : {}) };
    case 'tool_result':
      return { type: 'tool_result', output: String(c.output ?? ''), ...(c.name ? { name: c.name } : {}), ...(c.id ? { id: c.id } : {}), ...(c.is_error ? { isError: true } : {}) };
    case 'warning':
      return { type: 'warning', message: String(c.message ?? '') };
    case 'done':
      return { type: 'done', result: resultFromJson(c as ResultJsonIn) };
    default:
      return undefined;
  }
}

/** Missing keys (older runners) and `null` read the same. */
type ResultJsonIn = { [K in keyof ReturnType<typeof resultToJson>]?: ReturnType<typeof resultToJson>[K] | undefined };

export function resultFromJson(j: ResultJsonIn): RunResult {
  const r: RunResult = {
    backend: j.backend ?? '',
    output: j.output ?? '',
    exitCode: j.exit_code ?? 0,
    durationMs: j.duration_ms ?? 0,
    usage: usageFromJson(j.token_usage),
    warnings: j.warnings ?? [],
  };
  if (j.session_id) r.sessionId = j.session_id;
  if (j.backend_session_id) r.backendSessionId = j.backend_session_id;
  if (j.model) r.model = j.model;
  if (typeof j.cost_usd === 'number') r.costUsd = j.cost_usd;
  if (j.error) r.error = { code: j.error.code, message: j.error.message, ...(j.error.hint ? { hint: j.error.hint } : {}) };
  if (j.command) {
    const { stdin_bytes, ...c } = j.command as NonNullable<typeof j.command> & { stdin_bytes?: number };
    r.command = { ...c, ...(stdin_bytes !== undefined ? { stdinBytes: stdin_bytes } : {}) };
  }
  return r;
}
