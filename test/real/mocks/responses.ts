// A loopback mock of the OpenAI Responses API (SSE) for the real `codex` (a custom provider with
// wire_api = "responses"). Codex sends the whole history on every turn, with its own context
// (`<environment_context>`, AGENTS.md instructions) as user messages: those are not the user speaking.
import { answerText, applyPatchCommand, chunks, directives, nextPageCall, sendJson, sendSse, startHttpMock, type Mock } from './common.ts';

type Item = { type?: string; role?: string; content?: string | { type: string; text?: string }[]; output?: unknown };

const CONTEXT = /^\s*(<environment_context>|<user_instructions>|<permissions|# AGENTS\.md|<INSTRUCTIONS>)/;
const textOf = (i: Item) => (typeof i.content === 'string' ? i.content : (i.content ?? []).map((c) => c.text ?? '').join('\n'));
const said = (i: Item) => (i.role === 'user' && !CONTEXT.test(textOf(i)) ? textOf(i) : '');

export function startResponsesMock(): Promise<Mock> {
  let n = 0;
  return startHttpMock((req, res) => {
    n++;
    if (req.method !== 'POST' || !req.url.split('?')[0]!.endsWith('/responses')) return sendJson(res, 404, { error: { message: `mock: not found ${req.url}` } });
    const input: Item[] = Array.isArray(req.body.input) ? req.body.input : [{ role: 'user', content: String(req.body.input ?? '') }];
    const user = input.map(said).filter((t) => t.trim());
    const last = input[input.length - 1];
    const afterTool = !!last && /_call_output$/.test(last.type ?? '');
    const d = directives(user.join('\n'), user[user.length - 1] ?? '');
    if (d.write && !d.tool) d.tool = applyPatchCommand(d.write); // codex intercepts an apply_patch command
    if (d.status) {
      const auth = d.status === 401;
      return sendJson(res, d.status, { error: { message: auth ? 'Incorrect API key provided.' : `mock status ${d.status}`, type: auth ? 'invalid_request_error' : 'server_error', code: auth ? 'invalid_api_key' : null } });
    }
    type Tool = { name?: string; type?: string; tools?: Tool[] };
    const offered: Tool[] = req.body.tools ?? [];
    const tools = offered.map((t) => t.name ?? t.type ?? '');
    const shellTool = ['shell_command', 'exec_command', 'shell'].find((t) => tools.includes(t));
    const wantTool = d.tool && !afterTool && shellTool;
    // Codex offers MCP tools grouped in `namespace` tools (e.g. namespace mcp__clinvk, tool clinvk_prompt).
    let called: { name: string; namespace?: string } | undefined;
    const follow = d.followPages && afterTool ? nextPageCall(JSON.stringify(last!.output ?? '').replace(/\\"/g, '"')) : undefined;
    if (follow) d.call = { name: 'clinvk_result', args: follow };
    for (const t of d.call && (!afterTool || follow) ? offered : []) {
      if (t.type === 'namespace') {
        const inner = (t.tools ?? []).find((x) => x.name?.endsWith(d.call!.name));
        if (inner) called = { name: inner.name!, namespace: t.name! };
      } else if (t.name?.endsWith(d.call!.name)) called = { name: t.name };
      if (called) break;
    }
    const rid = `resp_mock${n}`;
    const ev: { event: string; data: Record<string, unknown> }[] = [];
    const push = (type: string, data: Record<string, unknown>) => ev.push({ event: type, data: { type, ...data } });
    push('response.created', { response: { id: rid } });
    if (called) {
      push('response.output_item.done', { output_index: 0, item: { type: 'function_call', id: `fc_mock${n}`, call_id: `call_mock${n}`, ...called, arguments: JSON.stringify(d.call!.args) } });
    } else if (wantTool) {
      const args = shellTool === 'exec_command' ? { cmd: d.tool } : shellTool === 'shell_command' ? { command: d.tool } : { command: ['bash', '-lc', d.tool] };
      push('response.output_item.done', { output_index: 0, item: { type: 'function_call', id: `fc_mock${n}`, call_id: `call_mock${n}`, name: shellTool, arguments: JSON.stringify(args) } });
    } else {
      const text = answerText('responses', user.length, d, afterTool);
      const item = `msg_mock${n}`;
      push('response.output_item.added', { output_index: 0, item: { type: 'message', id: item, role: 'assistant', content: [] } });
      for (const c of chunks(text)) push('response.output_text.delta', { item_id: item, output_index: 0, content_index: 0, delta: c });
      push('response.output_item.done', { output_index: 0, item: { type: 'message', id: item, role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] } });
    }
    push('response.completed', { response: { id: rid, usage: { input_tokens: 1200, input_tokens_details: { cached_tokens: 1024 }, output_tokens: 30, output_tokens_details: { reasoning_tokens: 8 }, total_tokens: 1230 } } });
    sendSse(res, ev);
  });
}
