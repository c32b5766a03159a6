// A loopback mock of the Anthropic Messages API (SSE and JSON, count_tokens) for the real `claude`.
// Claude Code 2.1.33x ends `messages` with a `role: "system"` entry and puts `<system-reminder>`
// blocks in user turns: neither counts as something the user said.
import { WRITTEN, answerText, chunks, directives, nextPageCall, sendJson, sendSse, startHttpMock, type Mock } from './common.ts';

type Block = { type: string; text?: string; content?: unknown };
type Message = { role: string; content: string | Block[] };

const blocks = (m: Message): Block[] => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content ?? []);
const REMINDER = /<system-reminder>[\s\S]*?<\/system-reminder>/g;
const said = (m: Message) => blocks(m).filter((b) => b.type === 'text' && b.text).map((b) => b.text!.replace(REMINDER, '').trim()).filter(Boolean).join('\n');

export function startAnthropicMock(): Promise<Mock> {
  let n = 0;
  return startHttpMock((req, res) => {
    n++;
    const path = req.url.split('?')[0]!;
    if (path.endsWith('/v1/messages/count_tokens')) return sendJson(res, 200, { input_tokens: 42 });
    if (!path.endsWith('/v1/messages')) return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `mock: ${req.url}` } });
    const msgs: Message[] = (req.body.messages ?? []).filter((m: Message) => m.role === 'user' || m.role === 'assistant');
    const userMsgs = msgs.filter((m) => m.role === 'user' && said(m).trim());
    const last = msgs[msgs.length - 1];
    const afterTool = !!last && blocks(last).some((b) => b.type === 'tool_result');
    const d = directives(userMsgs.map(said).join('\n'), said(userMsgs[userMsgs.length - 1] ?? { role: 'user', content: '' }));
    if (d.status) {
      const type = d.status === 401 ? 'authentication_error' : d.status === 429 ? 'rate_limit_error' : d.status >= 500 ? 'overloaded_error' : 'invalid_request_error';
      return sendJson(res, d.status, { type: 'error', error: { type, message: d.status === 401 ? 'invalid x-api-key' : `mock status ${d.status}` } });
    }
    const offered: string[] = (req.body.tools ?? []).map((t: { name?: string }) => t.name ?? '');
    const lastResult = afterTool ? JSON.stringify(blocks(last).find((b) => b.type === 'tool_result')?.content ?? '').replace(/\\"/g, '"') : '';
    const follow = d.followPages ? nextPageCall(lastResult) : undefined;
    if (follow) d.call = { name: 'clinvk_result', args: follow };
    const called = d.call && (!afterTool || follow) ? offered.find((t) => t.endsWith(d.call!.name)) : undefined;
    const wantWrite = !!d.write && !d.tool && !afterTool && offered.includes('Write');
    const wantTool = (d.tool && !afterTool && offered.includes('Bash')) || !!called || wantWrite;
    const model = req.body.model ?? 'claude-mock';
    const id = `msg_mock${String(n).padStart(4, '0')}`;
    const text = wantTool ? 'Running the tool.' : answerText('anthropic', userMsgs.length, d, afterTool);
    const content: Record<string, unknown>[] = [{ type: 'text', text }];
    if (called) content.push({ type: 'tool_use', id: `toolu_mock${n}`, name: called, input: d.call!.args });
    else if (wantWrite) content.push({ type: 'tool_use', id: `toolu_mock${n}`, name: 'Write', input: { file_path: d.write, content: `${WRITTEN}\n` } });
    else if (wantTool) content.push({ type: 'tool_use', id: `toolu_mock${n}`, name: 'Bash', input: { command: d.tool, description: 'Run the requested command' } });
    const stop = wantTool ? 'tool_use' : 'end_turn';
    const usage = { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 9, service_tier: 'standard' };
    if (!req.body.stream) return sendJson(res, 200, { id, type: 'message', role: 'assistant', model, content, stop_reason: stop, stop_sequence: null, usage });
    const ev: { event: string; data: Record<string, unknown> }[] = [];
    const push = (type: string, data: Record<string, unknown>) => ev.push({ event: type, data: { type, ...data } });
    push('message_start', { message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } });
    content.forEach((b, index) => {
      if (b.type === 'text') {
        push('content_block_start', { index, content_block: { type: 'text', text: '' } });
        for (const c of chunks(String(b.text))) push('content_block_delta', { index, delta: { type: 'text_delta', text: c } });
      } else {
        push('content_block_start', { index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } });
        push('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) } });
      }
      push('content_block_stop', { index });
    });
    push('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 9 } });
    push('message_stop', {});
    sendSse(res, ev);
  });
}
