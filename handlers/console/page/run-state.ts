// One run (a chat turn, a compare column) as the page draws it, built from the stream's lines. Pure:
// each line gives a new object, so Preact re-renders only what changed.
import type { StreamLine } from './api.ts';

export type Part =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; id?: string; name: string; input: unknown; output?: string; isError?: boolean }
  | { kind: 'warning'; message: string };

export interface RunError {
  message: string;
  code?: string;
  hint?: string;
  status?: number;
}

/** The `done` event's result: keys without a value are null (every documented key is always there). */
export interface RunResultJson {
  session_id?: string | null;
  exit_code: number;
  duration_ms: number;
  model?: string | null;
  token_usage?: { input_tokens: number; output_tokens: number; cached_tokens?: number; total_tokens: number };
  cost_usd?: number | null;
}

export interface Run {
  key: number;
  backend: string;
  prompt: string;
  parts: Part[];
  status: 'running' | 'done' | 'failed' | 'stopped';
  sessionId?: string;
  model?: string;
  result?: RunResultJson;
  error?: RunError;
}

let nextKey = 1;
export const newRun = (backend: string, prompt: string): Run => ({ key: nextKey++, backend, prompt, parts: [], status: 'running' });

function appendText(parts: Part[], text: string): Part[] {
  const last = parts[parts.length - 1];
  if (last?.kind === 'text') return [...parts.slice(0, -1), { kind: 'text', text: last.text + text }];
  return [...parts, { kind: 'text', text }];
}

/** A tool result joins its call (by id, else the latest call of that name still waiting). */
function attachResult(parts: Part[], c: { id?: string; name?: string; output?: string; is_error?: boolean }): Part[] {
  const matches = (p: Part) => p.kind === 'tool' && p.output === undefined && (c.id ? p.id === c.id : !c.name || p.name === c.name);
  const i = parts.findLastIndex(matches);
  const output = String(c.output ?? '');
  if (i < 0) return [...parts, { kind: 'tool', name: c.name ?? 'tool', input: undefined, output, isError: !!c.is_error }];
  return parts.map((p, j) => (j === i ? { ...(p as Extract<Part, { kind: 'tool' }>), output, isError: !!c.is_error } : p));
}

export function applyLine(run: Run, line: StreamLine): Run {
  const c = line.content ?? {};
  switch (line.type) {
    case 'init':
      return { ...run, sessionId: line.session_id ?? run.sessionId, model: c.model ?? run.model };
    case 'message':
      return { ...run, parts: appendText(run.parts, String(c.text ?? '')) };
    case 'tool_use':
      return { ...run, parts: [...run.parts, { kind: 'tool', id: c.id, name: String(c.name ?? 'tool'), input: c.input }] };
    case 'tool_result':
      return { ...run, parts: attachResult(run.parts, c) };
    case 'warning':
      return { ...run, parts: [...run.parts, { kind: 'warning', message: String(c.message ?? '') }] };
    case 'error':
      return { ...run, error: { message: String(c.message ?? 'the run failed'), code: c.code, hint: c.hint } };
    case 'done': {
      const result = c as RunResultJson;
      const failed = run.error !== undefined || result.exit_code !== 0;
      return { ...run, result, sessionId: result.session_id ?? line.session_id ?? run.sessionId, model: result.model ?? run.model, status: failed ? 'failed' : 'done' };
    }
    default:
      return run;
  }
}

/** The stream ended without `done`: stopped by the user, or cut. */
export function endRun(run: Run, how: { stopped: boolean; error?: RunError }): Run {
  if (run.status !== 'running') return run;
  if (how.stopped) return { ...run, status: 'stopped' };
  return { ...run, status: 'failed', error: how.error ?? { message: 'the stream ended before the run finished' } };
}
