// Parser of `codex exec --json` (JSONL). Shapes: backends-detail.md §2.3 and
// cli-samples-real/codex-0.169.0/. Also reads the older names (`item_type`, `assistant_message`)
// and, loosely, the legacy `{id, msg:{type,…}}` protocol of codex ≤ 0.43.
import { arr, contentText, isObj, jsonLines, num, stderrMessage, str, type Json } from './jsonl.ts';
import type { BackendEvent, OutputParser } from './types.ts';
import { classifyFailure } from './usage-limit.ts';

/** A plan's usage limit ends the run at once; a 429 is retried ("Reconnecting…") and ends in turn.failed. */
const USAGE_LIMIT = /usage limit|hit your (?:usage )?limit|quota exceeded/i;

function failure(message: string, fatal: boolean): BackendEvent {
  const { category, retryAfterSeconds } = classifyFailure(message);
  return { kind: 'error', message, fatal, category, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
}

export function createCodexParser(): OutputParser {
  let fatal: string | undefined; // message of the fatal error already reported
  let textSeen = false;
  const started = new Set<string>();

  const agentText = (t: string): BackendEvent[] => {
    if (t === '') return [];
    const sep = textSeen ? '\n\n' : ''; // several agent_message items: the answer is all of them
    textSeen = true;
    return [{ kind: 'text', text: sep + t }];
  };

  /** A tool item: tool_use when it starts (or when it completes without having started), then tool_result. */
  const tool = (phase: string, item: Json, name: string, input: unknown, output: () => { output: string; isError: boolean }): BackendEvent[] => {
    const id = str(item.id);
    const out: BackendEvent[] = [];
    const key = id ?? `${name}:${JSON.stringify(input)}`;
    if (!started.has(key)) {
      started.add(key);
      out.push({ kind: 'tool_use', ...(id === undefined ? {} : { id }), name, input });
    }
    if (phase === 'item.completed') out.push({ kind: 'tool_result', ...(id === undefined ? {} : { id }), name, ...output() });
    return out;
  };

  const failedStatus = (item: Json): boolean => item.status === 'failed' || item.status === 'declined';

  const itemHandlers: Record<string, (phase: string, item: Json) => BackendEvent[]> = {
    agent_message: (phase, item) => (phase === 'item.completed' ? agentText(str(item.text) ?? '') : []),
    reasoning: () => [],
    command_execution: (phase, item) =>
      tool(phase, item, 'shell', { command: str(item.command) ?? '' }, () => {
        const code = num(item.exit_code);
        return { output: str(item.aggregated_output) ?? '', isError: (code !== undefined && code !== 0) || failedStatus(item) };
      }),
    file_change: (phase, item) =>
      tool(phase, item, 'file_change', { changes: arr(item.changes) }, () => ({
        output: arr(item.changes)
          .map((c) => (isObj(c) ? `${str(c.kind) ?? 'change'} ${str(c.path) ?? ''}` : ''))
          .join('\n'),
        isError: failedStatus(item),
      })),
    mcp_tool_call: (phase, item) => {
      const name = [str(item.server), str(item.tool)].filter(Boolean).join('.') || 'mcp_tool';
      return tool(phase, item, name, item.arguments ?? {}, () => {
        const err = isObj(item.error) ? str(item.error.message) : undefined;
        const result = isObj(item.result) ? contentText(item.result.content) : '';
        return { output: err ?? result, isError: err !== undefined || failedStatus(item) };
      });
    },
    web_search: (phase, item) =>
      tool(phase, item, 'web_search', { query: str(item.query) ?? '' }, () => ({ output: str(item.query) ?? '', isError: failedStatus(item) })),
    error: (phase, item) => (phase === 'item.completed' ? [{ kind: 'warning', message: str(item.message) ?? 'codex reported an error' }] : []),
  };
  itemHandlers.assistant_message = itemHandlers.agent_message!; // name before codex 0.44

  const fatalOnce = (message: string): BackendEvent[] => {
    if (fatal === message) return []; // turn.failed repeats the usage-limit error already reported
    fatal = message;
    return [failure(message, true)];
  };

  const item = (o: Json): BackendEvent[] => {
    if (!isObj(o.item)) return [];
    const type = str(o.item.type) ?? str(o.item.item_type) ?? '';
    const h = itemHandlers[type];
    return h ? h(str(o.type) ?? '', o.item) : []; // todo_list, plan, collab_tool_call…: progress only
  };

  const handlers: Record<string, (o: Json) => BackendEvent[]> = {
    'thread.started': (o) => {
      const id = str(o.thread_id);
      return id === undefined ? [] : [{ kind: 'session', id }];
    },
    'item.started': item,
    'item.updated': item,
    'item.completed': item,
    'turn.completed': (o) => {
      const u = isObj(o.usage) ? o.usage : {};
      return [
        {
          kind: 'usage',
          // A running total of the whole thread, also across `exec resume`.
          scope: 'thread',
          usage: {
            inputTokens: num(u.input_tokens) ?? 0,
            cachedTokens: num(u.cached_input_tokens) ?? 0,
            outputTokens: num(u.output_tokens) ?? 0,
            reasoningTokens: num(u.reasoning_output_tokens) ?? 0,
          },
        },
      ];
    },
    'turn.failed': (o) => fatalOnce((isObj(o.error) ? str(o.error.message) : undefined) ?? 'codex turn failed'),
    // Top-level errors are also retry notices ("Reconnecting... 2/5"); only a usage limit ends the run.
    error: (o) => {
      const message = str(o.message) ?? 'codex reported an error';
      return USAGE_LIMIT.test(message) && !/^Reconnecting/i.test(message) ? fatalOnce(message) : [failure(message, false)];
    },
  };

  /** codex ≤ 0.43: `{"id":"0","msg":{"type":"agent_message","message":"…"}}`. */
  const legacy = (msg: Json): BackendEvent[] => {
    switch (msg.type) {
      case 'session_configured':
        return str(msg.session_id) ? [{ kind: 'session', id: str(msg.session_id)!, ...(str(msg.model) ? { model: str(msg.model)! } : {}) }] : [];
      case 'agent_message':
        return agentText(str(msg.message) ?? '');
      case 'error':
        return fatalOnce(str(msg.message) ?? 'codex reported an error');
      case 'token_count': {
        const info = isObj(msg.info) && isObj(msg.info.total_token_usage) ? msg.info.total_token_usage : msg;
        return [
          {
            kind: 'usage',
            scope: 'thread',
            usage: {
              inputTokens: num(info.input_tokens) ?? 0,
              cachedTokens: num(info.cached_input_tokens) ?? 0,
              outputTokens: num(info.output_tokens) ?? 0,
              reasoningTokens: num(info.reasoning_output_tokens) ?? 0,
            },
          },
        ];
      }
      default:
        return [];
    }
  };

  const line = jsonLines('codex', (o) => {
    if (typeof o.type !== 'string' && isObj(o.msg)) return legacy(o.msg);
    const h = handlers[str(o.type) ?? ''];
    return h ? h(o) : []; // turn.started, item.plan.delta, request_user_input…
  });

  return {
    line,
    end: (exit) => {
      if (fatal !== undefined || exit.code === null || exit.code === 0) return [];
      // clap usage errors ("error: unexpected argument …"), "Not inside a trusted directory…",
      // "Error: thread/resume: … no rollout found …" (its stack backtrace is cut off).
      const message =
        stderrMessage(exit.stderr, [/^Reading (additional input|prompt) from stdin/i, /^WARNING: proceeding/i, /^tip:/i, /^warning:/], /^error:/i) ??
        `codex exited with code ${exit.code}`;
      fatal = message;
      return [failure(message, true)];
    },
  };
}
