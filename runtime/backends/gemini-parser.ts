// Parser of `gemini --output-format stream-json` (JSONL) and `--output-format json` (one
// pretty-printed object, no trailing newline). Shapes: backends-detail.md §3.3–3.5 and
// cli-samples-real/gemini-0.61.0/. Fatal errors before the run (auth, trust, bad input) come on
// stderr, as a JSON object in json mode and as plain text otherwise.
import { bufferedJson, isObj, jsonLines, num, skipped, stderrMessage, str, stripAnsi, type Json } from './jsonl.ts';
import type { BackendEvent, OutputParser } from './types.ts';
import { classifyFailure } from './usage-limit.ts';

const NAME = 'gemini';

/** Exit codes of gemini's FatalError classes (backends-detail §3.5). */
const EXIT_MEANING: Record<number, string> = {
  41: 'auth',
  42: 'input or resume error',
  44: 'sandbox error',
  52: 'config error',
  53: 'turn limit reached',
  54: 'tool execution error',
  55: 'untrusted workspace',
  130: 'cancelled',
};

export const STDERR_NOISE = [
  /^Warning: 256-color support/i,
  /^Ripgrep is not available/i,
  /^Attempt \d+ failed/i,
  /^Loaded cached credentials/i,
  /^YOLO mode is enabled/i,
  /^Data collection is disabled/i,
];

/** `[API Error: {"error":{"code":400,"message":"API key not valid…"}}]` → the inner message and code. */
function unwrapApiError(message: string): { message: string; code?: number } {
  const start = message.indexOf('{');
  const end = message.lastIndexOf('}');
  if (start < 0 || end <= start) return { message };
  try {
    const inner: unknown = JSON.parse(message.slice(start, end + 1));
    if (isObj(inner) && isObj(inner.error) && typeof inner.error.message === 'string') {
      const code = num(inner.error.code);
      return code === undefined ? { message: inner.error.message } : { message: inner.error.message, code };
    }
  } catch {
    /* not JSON inside: keep the message as it is */
  }
  return { message };
}

/** A failure gemini reported (API error text possibly wrapping JSON; gemini exit or HTTP status code) as a fatal error event. */
export function fatalError(raw: string, code?: number): BackendEvent {
  const api = unwrapApiError(raw);
  const status = api.code ?? code;
  const c = classifyFailure(api.message, status);
  // gemini's own exit code 41 means "not authenticated", whatever the words.
  const category = code === 41 ? 'auth' : c.category;
  return { kind: 'error', message: api.message, fatal: true, category, ...(c.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: c.retryAfterSeconds }) };
}

/** The last `{ "session_id", "error" }` object printed on stderr (json mode), if any. */
function stderrErrorObject(stderr: string): Json | undefined {
  const text = stripAnsi(stderr);
  const starts = [...text.matchAll(/^\{\s*$/gm)].map((m) => m.index ?? 0).reverse();
  for (const at of starts) {
    try {
      const o: unknown = JSON.parse(text.slice(at).trim());
      if (isObj(o) && isObj(o.error)) return o;
    } catch {
      /* try an earlier opening brace */
    }
  }
  return undefined;
}

function usageFromStats(stats: Json): BackendEvent {
  if (isObj(stats.models) && stats.input_tokens === undefined) {
    // json format: per-model camelCase token counts; sum over models (roles are a breakdown of them).
    let inputTokens = 0, outputTokens = 0, cachedTokens = 0, reasoningTokens = 0;
    for (const m of Object.values(stats.models)) {
      const t = isObj(m) && isObj(m.tokens) ? m.tokens : {};
      inputTokens += num(t.prompt) ?? 0;
      outputTokens += num(t.candidates) ?? 0;
      cachedTokens += num(t.cached) ?? 0;
      reasoningTokens += num(t.thoughts) ?? 0;
    }
    return { kind: 'usage', scope: 'run', usage: { inputTokens, outputTokens, cachedTokens, reasoningTokens } };
  }
  // stream-json: flat snake_case totals (router calls included). input_tokens includes cached ones.
  return {
    kind: 'usage',
    scope: 'run',
    usage: { inputTokens: num(stats.input_tokens) ?? 0, outputTokens: num(stats.output_tokens) ?? 0, cachedTokens: num(stats.cached) ?? 0 },
  };
}

export function createGeminiParser(format: 'stream-json' | 'json' = 'stream-json'): OutputParser {
  let fatal = false;
  let textSeen = false;
  let toolSince = false; // a tool ran since the last text: start the next text on a new paragraph
  let sessionSent = false;
  const toolNames = new Map<string, string>();

  const session = (id: string | undefined, model?: string): BackendEvent[] => {
    if (id === undefined || sessionSent) return [];
    sessionSent = true;
    return [model === undefined ? { kind: 'session', id } : { kind: 'session', id, model }];
  };

  const handlers: Record<string, (o: Json) => BackendEvent[]> = {
    init: (o) => session(str(o.session_id), str(o.model)),
    message: (o) => {
      const t = str(o.content) ?? '';
      if (o.role !== 'assistant' || t === '') return []; // the user message is an echo of the prompt
      const sep = textSeen && toolSince ? '\n\n' : '';
      textSeen = true;
      toolSince = false;
      return [{ kind: 'text', text: sep + t }];
    },
    tool_use: (o) => {
      toolSince = true;
      const id = str(o.tool_id);
      const name = str(o.tool_name) ?? 'tool';
      if (id !== undefined) toolNames.set(id, name);
      return [{ kind: 'tool_use', ...(id === undefined ? {} : { id }), name, input: o.parameters ?? {} }];
    },
    tool_result: (o) => {
      toolSince = true;
      const id = str(o.tool_id);
      const name = id === undefined ? undefined : toolNames.get(id);
      const err = isObj(o.error) ? str(o.error.message) : undefined;
      return [
        {
          kind: 'tool_result',
          ...(id === undefined ? {} : { id }),
          ...(name === undefined ? {} : { name }),
          output: str(o.output) ?? err ?? '',
          isError: o.status === 'error',
        },
      ];
    },
    // Loop detected, max turns, blocked…: the run goes on, and `result` says how it ended.
    error: (o) => [{ kind: 'error', message: str(o.message) ?? 'gemini reported an error', fatal: false }],
    result: (o) => {
      const out: BackendEvent[] = isObj(o.stats) ? [usageFromStats(o.stats)] : [];
      if (o.status === 'error') {
        fatal = true;
        out.push(fatalError((isObj(o.error) ? str(o.error.message) : undefined) ?? 'gemini run failed'));
      }
      return out;
    },
  };

  const fromExit = (exit: { code: number | null; stderr: string }): BackendEvent[] => {
    if (fatal || exit.code === null || exit.code === 0) return [];
    fatal = true;
    const obj = stderrErrorObject(exit.stderr);
    if (obj && isObj(obj.error)) {
      return [...session(str(obj.session_id)), fatalError(str(obj.error.message) ?? 'gemini failed', num(obj.error.code) ?? exit.code)];
    }
    const meaning = EXIT_MEANING[exit.code];
    const message =
      stderrMessage(exit.stderr, STDERR_NOISE) ?? `gemini exited with code ${exit.code}${meaning === undefined ? '' : ` (${meaning})`}`;
    return [fatalError(message, exit.code)];
  };

  if (format === 'stream-json') {
    const line = jsonLines(NAME, (o) => handlers[str(o.type) ?? '']?.(o) ?? []);
    return { line, end: fromExit };
  }

  return bufferedJson((o, body) => {
    if (!isObj(o)) return [skipped(NAME, body)];
    const out: BackendEvent[] = [...session(str(o.session_id))];
    if (isObj(o.stats)) out.push(usageFromStats(o.stats));
    for (const w of Array.isArray(o.warnings) ? o.warnings : []) if (typeof w === 'string') out.push({ kind: 'warning', message: w });
    if (isObj(o.error)) {
      fatal = true;
      out.push(fatalError(str(o.error.message) ?? 'gemini failed', num(o.error.code)));
    } else if (typeof o.response === 'string') out.push({ kind: 'final', text: o.response });
    return out;
  }, fromExit);
}
