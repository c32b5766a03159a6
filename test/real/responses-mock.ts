// A loopback stand-in for the OpenAI Responses API (SSE), for running the real codex offline
// (as design/cli-samples-real/mocks/responses.mjs does, on port 0 and in-process). Its answer proves
// what the model was shown: `seen: <every TOKEN:x in the user messages, in order>`. A prompt with
// `USE_TOOL:<command>` asks for one shell call first; `SLOW` holds the answer back for 30 s.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ResponsesMock {
  url: string;
  /** Bodies of the requests, in order. */
  requests: Record<string, unknown>[];
  close(): Promise<void>;
}

type Item = { type?: string; role?: string; content?: unknown; name?: string };

export async function startResponsesMock(): Promise<ResponsesMock> {
  const requests: Record<string, unknown>[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      n++;
      const j = (() => {
        try {
          return JSON.parse(body) as Record<string, unknown>;
        } catch {
          return {};
        }
      })();
      requests.push(j);
      if (req.method !== 'POST' || !req.url?.endsWith('/responses')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      const input = (Array.isArray(j.input) ? j.input : []) as Item[];
      const users = JSON.stringify(input.filter((x) => x.role === 'user'));
      const last = JSON.stringify(input.filter((x) => x.role === 'user').at(-1) ?? {});
      const hasOutput = input.some((x) => x.type === 'function_call_output' || x.type === 'custom_tool_call_output');
      const tools = ((Array.isArray(j.tools) ? j.tools : []) as Item[]).map((t) => t.name ?? t.type);
      const shellTool = ['shell_command', 'exec_command', 'shell'].find((t) => tools.includes(t));
      const tool = last.match(/USE_TOOL:([^\\"]+)/)?.[1];
      const rid = `resp_mock${n}`;
      const ev: Record<string, unknown>[] = [{ type: 'response.created', response: { id: rid } }];
      if (tool && !hasOutput && shellTool) {
        const args = shellTool === 'exec_command' ? { cmd: tool } : shellTool === 'shell_command' ? { command: tool } : { command: ['bash', '-lc', tool] };
        ev.push({ type: 'response.output_item.done', output_index: 0, item: { type: 'function_call', id: `fc_mock${n}`, call_id: `call_mock${n}`, name: shellTool, arguments: JSON.stringify(args) } });
      } else {
        const tokens = [...users.matchAll(/TOKEN:(\w+)/g)].map((m) => m[1]);
        const text = hasOutput ? 'The command ran.' : `seen: ${tokens.join(',')}`;
        ev.push({ type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: `msg_mock${n}`, role: 'assistant', content: [] } });
        for (const w of text.split(/(?<= )/)) ev.push({ type: 'response.output_text.delta', item_id: `msg_mock${n}`, output_index: 0, content_index: 0, delta: w });
        ev.push({ type: 'response.output_item.done', output_index: 0, item: { type: 'message', id: `msg_mock${n}`, role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] } });
      }
      ev.push({ type: 'response.completed', response: { id: rid, usage: { input_tokens: 1200, input_tokens_details: { cached_tokens: 1024 }, output_tokens: 30, output_tokens_details: { reasoning_tokens: 8 }, total_tokens: 1230 } } });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (from: number) => {
        for (const e of ev.slice(from)) res.write(`event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`);
        res.end();
      };
      if (/SLOW/.test(last) && !hasOutput) {
        // The created event now, the rest much later.
        res.write(`event: response.created\ndata: ${JSON.stringify(ev[0])}\n\n`);
        const t = setTimeout(() => send(1), 30_000);
        res.on('close', () => clearTimeout(t));
      } else send(0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
