// The events of one `codex app-server` turn: thread items, agent message deltas, token usage and
// errors, turned into the same BackendEvents the `codex exec --json` parser yields (codex-parser.ts),
// so a warm turn and a cold one read alike (tool names, inputs, outputs, the thread-total usage).
import type { BackendEvent } from './types.ts';
import type { ErrorNotification, ThreadTokenUsage } from './codex-app-types.ts';
import { arr, contentText, isObj, num, str, type Json } from './jsonl.ts';
import { classifyFailure } from './usage-limit.ts';

/** State of one turn; a new one per turn. */
export function createTurnItems() {
  const started = new Set<string>();
  const streamed = new Set<string>(); // agent messages whose text came as deltas
  let textSeen = false;
  let fatal: string | undefined;

  /** Text of one agent message, with a blank line between messages, as the cold parser joins them. */
  const agentText = (itemId: string, text: string): BackendEvent[] => {
    if (text === '') return [];
    const sep = textSeen && !streamed.has(itemId) ? '\n\n' : '';
    textSeen = true;
    streamed.add(itemId);
    return [{ kind: 'text', text: sep + text }];
  };

  const failedStatus = (item: Json): boolean => item.status === 'failed' || item.status === 'declined';

  /** tool_use when it starts (or completes without having started), then tool_result on completion. */
  const tool = (completed: boolean, item: Json, name: string, input: unknown, output: () => { output: string; isError: boolean }): BackendEvent[] => {
    const id = str(item.id);
    const out: BackendEvent[] = [];
    const key = id ?? `${name}:${JSON.stringify(input)}`;
    if (!started.has(key)) {
      started.add(key);
      out.push({ kind: 'tool_use', ...(id === undefined ? {} : { id }), name, input });
    }
    if (completed) out.push({ kind: 'tool_result', ...(id === undefined ? {} : { id }), name, ...output() });
    return out;
  };

  const changes = (item: Json) =>
    arr(item.changes).map((c) => (isObj(c) ? { path: str(c.path) ?? '', kind: (isObj(c.kind) ? str(c.kind.type) : str(c.kind)) ?? 'change' } : { path: '', kind: 'change' }));

  const ITEMS: Record<string, (completed: boolean, item: Json) => BackendEvent[]> = {
    agentMessage: (completed, item) => {
      const id = str(item.id) ?? '';
      return completed && !streamed.has(id) ? agentText(id, str(item.text) ?? '') : [];
    },
    commandExecution: (completed, item) =>
      tool(completed, item, 'shell', { command: str(item.command) ?? '' }, () => {
        const code = num(item.exitCode);
        return { output: str(item.aggregatedOutput) ?? '', isError: (code !== undefined && code !== 0) || failedStatus(item) };
      }),
    fileChange: (completed, item) =>
      tool(completed, item, 'file_change', { changes: changes(item) }, () => ({
        output: changes(item)
          .map((c) => `${c.kind} ${c.path}`)
          .join('\n'),
        isError: failedStatus(item),
      })),
    mcpToolCall: (completed, item) => {
      const name = [str(item.server), str(item.tool)].filter(Boolean).join('.') || 'mcp_tool';
      return tool(completed, item, name, item.arguments ?? {}, () => {
        const err = isObj(item.error) ? str(item.error.message) : undefined;
        const result = isObj(item.result) ? contentText(item.result.content) : '';
        return { output: err ?? result, isError: err !== undefined || failedStatus(item) };
      });
    },
    webSearch: (completed, item) => tool(completed, item, 'web_search', { query: str(item.query) ?? '' }, () => ({ output: str(item.query) ?? '', isError: false })),
  };

  const fatalOnce = (message: string, status?: number): BackendEvent[] => {
    if (fatal === message) return []; // turn/completed repeats the error already reported
    fatal = message;
    const { category, retryAfterSeconds } = classifyFailure(message, status);
    return [{ kind: 'error', message, fatal: true, category, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) }];
  };

  return {
    /** item/started and item/completed. userMessage, reasoning, plan… are progress only. */
    item(completed: boolean, item: unknown): BackendEvent[] {
      if (!isObj(item)) return [];
      const h = ITEMS[str(item.type) ?? ''];
      return h ? h(completed, item) : [];
    },
    delta(itemId: string, delta: string): BackendEvent[] {
      return agentText(itemId, delta);
    },
    /** thread/tokenUsage/updated: `total` is the running total of the whole thread, as `turn.completed` is in exec. */
    usage(tokenUsage: ThreadTokenUsage): BackendEvent[] {
      const t = tokenUsage.total;
      return [
        {
          kind: 'usage',
          scope: 'thread',
          usage: { inputTokens: t.inputTokens ?? 0, cachedTokens: t.cachedInputTokens ?? 0, outputTokens: t.outputTokens ?? 0, reasoningTokens: t.reasoningOutputTokens ?? 0 },
        },
      ];
    },
    /** `error`: a retry notice ("Reconnecting... 2/5") while willRetry, else the turn's failure. */
    error(n: ErrorNotification): BackendEvent[] {
      const message = str(n.error?.message) ?? 'codex reported an error';
      if (n.willRetry) {
        const details = str(n.error?.additionalDetails);
        return [{ kind: 'error', message: details ? `${message} (${details})` : message, fatal: false, category: classifyFailure(details ?? message).category }];
      }
      return fatalOnce(message, httpStatus(n.error?.codexErrorInfo));
    },
    /** A failed turn's own error (turn/completed, or the error reply to turn/start). */
    failed(message: string, info?: unknown): BackendEvent[] {
      return fatalOnce(message, httpStatus(info));
    },
  };
}

/** `codexErrorInfo` carries the upstream HTTP status in one of its variants; named ones map to 401/429. */
function httpStatus(info: unknown): number | undefined {
  if (info === 'unauthorized') return 401;
  if (info === 'usageLimitExceeded' || info === 'rateLimitExceeded') return 429;
  if (!isObj(info)) return undefined;
  for (const v of Object.values(info)) {
    const status = isObj(v) ? num(v.httpStatusCode) : undefined;
    if (status !== undefined) return status;
  }
  return undefined;
}
