// Parser of `claude -p --output-format stream-json --verbose --include-partial-messages` (one JSON
// event per line) and of `--output-format json` (one result object, or an array of every event with
// --verbose). Shapes: backends-detail.md §1.4–1.6 and cli-samples-real/claude-2.1.330/.
import { arr, bufferedJson, contentText, isObj, jsonLines, num, skipped, stderrMessage, str, type Json } from './jsonl.ts';
import type { BackendEvent, OutputParser } from './types.ts';
import { classifyFailure } from './usage-limit.ts';

const NAME = 'claude';

function createHandler(): { handle: (o: Json) => BackendEvent[]; state: { fatal: boolean; result: boolean } } {
  const state = { fatal: false, result: false };
  let sessionSent = false;
  /** Messages whose text came as deltas: their complete `assistant` line must not repeat it. */
  const streamed = new Set<string>();
  let currentMessage: string | undefined;
  let lastTextMessage: string | undefined;
  const toolNames = new Map<string, string>();

  const text = (message: string | undefined, t: string): BackendEvent[] => {
    if (t === '') return [];
    // Separate the text of successive assistant messages (e.g. before and after a tool call).
    const sep = lastTextMessage !== undefined && lastTextMessage !== message ? '\n\n' : '';
    lastTextMessage = message ?? lastTextMessage ?? '';
    return [{ kind: 'text', text: sep + t }];
  };

  const session = (o: Json, model?: string): BackendEvent[] => {
    const id = str(o.session_id);
    if (sessionSent || id === undefined) return [];
    sessionSent = true;
    return [model === undefined ? { kind: 'session', id } : { kind: 'session', id, model }];
  };

  const system = (o: Json): BackendEvent[] => {
    switch (o.subtype) {
      case 'init':
        return session(o, str(o.model));
      case 'api_retry':
        return [{ kind: 'warning', message: `claude API retry ${num(o.attempt) ?? '?'}/${num(o.max_retries) ?? '?'}: ${str(o.error) ?? 'error'} (${num(o.error_status) ?? 'no status'})` }];
      case 'permission_denied':
        return [{ kind: 'warning', message: `claude denied ${str(o.tool_name) ?? 'a tool'}: ${str(o.message) ?? 'needs approval'}` }];
      default:
        return []; // status, compact_boundary, hooks…: not ours to show
    }
  };

  const streamEvent = (o: Json): BackendEvent[] => {
    if (o.parent_tool_use_id != null || !isObj(o.event)) return []; // sub-agent chatter is not the answer
    const ev = o.event;
    if (ev.type === 'message_start' && isObj(ev.message)) currentMessage = str(ev.message.id);
    const id = str(o.api_message_id) ?? currentMessage;
    if (ev.type === 'content_block_delta' && isObj(ev.delta) && ev.delta.type === 'text_delta') {
      if (id !== undefined) streamed.add(id);
      return text(id, str(ev.delta.text) ?? '');
    }
    return [];
  };

  const assistant = (o: Json): BackendEvent[] => {
    if (!isObj(o.message)) return [];
    const msg = o.message;
    const id = str(msg.id);
    // API and auth failures arrive as a synthetic assistant message; the result line reports them.
    const synthetic = o.is_api_error_message === true || msg.model === '<synthetic>';
    const subAgent = o.parent_tool_use_id != null;
    const out: BackendEvent[] = [];
    for (const block of arr(msg.content)) {
      if (!isObj(block)) continue;
      if (block.type === 'text' && !synthetic && !subAgent && !(id !== undefined && streamed.has(id))) {
        out.push(...text(id, str(block.text) ?? ''));
      } else if (block.type === 'tool_use') {
        const name = str(block.name) ?? 'tool';
        const toolId = str(block.id);
        if (toolId !== undefined) toolNames.set(toolId, name);
        out.push(toolId === undefined ? { kind: 'tool_use', name, input: block.input } : { kind: 'tool_use', id: toolId, name, input: block.input });
      }
    }
    return out;
  };

  const user = (o: Json): BackendEvent[] => {
    if (!isObj(o.message)) return [];
    const out: BackendEvent[] = [];
    for (const block of arr(o.message.content)) {
      if (!isObj(block) || block.type !== 'tool_result') continue;
      const id = str(block.tool_use_id);
      const name = id === undefined ? undefined : toolNames.get(id);
      out.push({
        kind: 'tool_result',
        ...(id === undefined ? {} : { id }),
        ...(name === undefined ? {} : { name }),
        output: contentText(block.content),
        isError: block.is_error === true,
      });
    }
    return out;
  };

  const result = (o: Json): BackendEvent[] => {
    state.result = true;
    const out: BackendEvent[] = [...session(o)];
    const u = isObj(o.usage) ? o.usage : {};
    const cost = num(o.total_cost_usd) ?? num(o.cost_usd); // cost_usd: name before mid-2025
    // 2.1.33x: usage.output_tokens_details.thinking_tokens (a part of output_tokens).
    const thinking = num((isObj(u.output_tokens_details) ? u.output_tokens_details : {}).thinking_tokens);
    out.push({
      kind: 'usage',
      usage: {
        inputTokens: num(u.input_tokens) ?? 0,
        outputTokens: num(u.output_tokens) ?? 0,
        cachedTokens: num(u.cache_read_input_tokens) ?? 0,
        ...(thinking ? { reasoningTokens: thinking } : {}), // 0 adds nothing: left out
      },
      scope: 'run',
      // total_cost_usd is the running total of the whole session, also across --resume.
      ...(cost === undefined ? {} : { costUsd: cost, costScope: 'session' as const }),
    });
    const subtype = str(o.subtype) ?? '';
    // is_error is authoritative: "Not logged in" comes with subtype "success".
    if (o.is_error === true || subtype.startsWith('error')) {
      const errors = arr(o.errors).filter((e): e is string => typeof e === 'string');
      const message = str(o.result) || errors.join('; ') || `claude failed (${subtype || 'error'})`;
      const status = num(o.api_error_status);
      const { category, retryAfterSeconds } = classifyFailure(`${message} ${str(o.api_error_type) ?? ''}`, status);
      state.fatal = true;
      out.push({ kind: 'error', message, fatal: true, category, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });
    } else {
      // With --json-schema (2.1.332): the StructuredOutput tool's input, as the object `structured_output`.
      if (o.structured_output !== undefined) out.push({ kind: 'final', text: JSON.stringify(o.structured_output), structured: true });
      else {
        const final = str(o.result);
        if (final !== undefined) out.push({ kind: 'final', text: final });
      }
    }
    return out;
  };

  const handlers: Record<string, (o: Json) => BackendEvent[]> = { system, stream_event: streamEvent, assistant, user, result };
  const handle = (o: Json): BackendEvent[] => {
    const h = handlers[str(o.type) ?? ''];
    return h ? h(o) : []; // unknown event types are new features, not errors (backends-detail §1.6)
  };
  return { handle, state };
}

/** Lines that are not the reason a claude run failed. */
const STDERR_NOISE = [/^Warning: no stdin data received/i, /doesn't recognize the model/i, /^\[claude-code:/];

function failureFromExit(state: { fatal: boolean; result: boolean }, exit: { code: number | null; stderr: string }): BackendEvent[] {
  if (state.fatal || exit.code === null || exit.code === 0) return [];
  const message = stderrMessage(exit.stderr, STDERR_NOISE, /^error:|^Error:/) ?? `claude exited with code ${exit.code}${state.result ? '' : ' and printed no result'}`;
  const { category, retryAfterSeconds } = classifyFailure(message);
  state.fatal = true;
  return [{ kind: 'error', message, fatal: true, category, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) }];
}

export function createClaudeParser(format: 'stream-json' | 'json' = 'stream-json'): OutputParser {
  const { handle, state } = createHandler();
  if (format === 'stream-json') {
    return { line: jsonLines(NAME, handle), end: (exit) => failureFromExit(state, exit) };
  }
  // json: one object, or (with --verbose) an array of every stream event. Buffer, parse at the end.
  return bufferedJson(
    (parsed, body) => (Array.isArray(parsed) ? parsed : [parsed]).flatMap((item) => (isObj(item) ? safe(handle, item, body) : [skipped(NAME, body)])),
    (exit) => failureFromExit(state, exit),
  );
}

function safe(handle: (o: Json) => BackendEvent[], o: Json, raw: string): BackendEvent[] {
  try {
    return handle(o);
  } catch {
    return [skipped(NAME, raw)];
  }
}
