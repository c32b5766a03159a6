// What the three model-API mocks share: a loopback HTTP server with a request log, and the
// directives a test puts in a prompt to steer the answer. Loopback only, port 0.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever JSON the CLI sent
  /** Date.now() when the request ended. */
  at: number;
}

export interface Mock {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: LoggedRequest[];
  close(): Promise<void>;
}

/**
 * Directives, found anywhere in the conversation's user text:
 * - `USE_TOOL:<command>` (up to a quote, backslash or newline): one shell-tool call, then a text answer once its result is back;
 * - `CALL_TOOL:<name> <json arguments>` (one line): one call of the offered tool whose name ends with <name>
 *   (e.g. `clinvk_prompt`, offered as `mcp__clinvk__clinvk_prompt`), then a text answer;
 * - `FOLLOW_PAGES` (with CALL_TOOL): while the last tool result names a `run_id` and a `next_page`, call
 *   `clinvk_result` for that page, as a model that reads what it was given would;
 * - `MOCK_STATUS:<code>`: answer with that HTTP error status (the API's own error body);
 * - `MOCK_LONG:<n>`: an answer of exactly n characters (for paging tests);
 * - `ECHO:<word>` (the last one in the newest user turn): the answer repeats the word;
 * - `WRITE_FILE:<absolute path>`: one call of the CLI's own file-writing tool (claude Write, gemini
 *   write_file, codex an `apply_patch` heredoc through its shell tool) that creates the file with the
 *   line `clinvk-wrote`, then a text answer (the approval matrix, test/real/approval/).
 * - `ANSWER:<text>` (the rest of that line, in the newest user turn): the answer is exactly that text
 *   (e.g. the JSON a structured-output test wants back).
 */
export interface Directives {
  tool?: string;
  call?: { name: string; args: unknown };
  followPages?: boolean;
  status?: number;
  long?: number;
  echo?: string;
  write?: string;
  answer?: string;
}

export function directives(allUserText: string, lastUserText: string): Directives {
  const d: Directives = {};
  const tool = /USE_TOOL:([^"\\\n]+)/.exec(allUserText);
  if (tool) d.tool = tool[1]!.trim();
  const call = /CALL_TOOL:(\S+) (\{.*\})/.exec(allUserText);
  if (call) d.call = { name: call[1]!, args: JSON.parse(call[2]!) };
  if (/FOLLOW_PAGES/.test(allUserText)) d.followPages = true;
  const write = /WRITE_FILE:([^\s"\\]+)/.exec(allUserText);
  if (write) d.write = write[1]!;
  const status = /MOCK_STATUS:(\d{3})/.exec(allUserText);
  if (status) d.status = Number(status[1]);
  // A CALL_TOOL's arguments may carry directives meant for the run the tool starts, not for this answer.
  const long = /MOCK_LONG:(\d+)/.exec(lastUserText);
  if (long && !d.call) d.long = Number(long[1]);
  const echoes = [...lastUserText.matchAll(/ECHO:(\w+)/g)];
  if (echoes.length) d.echo = echoes[echoes.length - 1]![1]!;
  const answer = /ANSWER:(.*)/.exec(lastUserText);
  if (answer) d.answer = answer[1]!.trim();
  return d;
}

/** The clinvk_result call a paged tool result asks for (found in its JSON or its text), if any. */
export function nextPageCall(toolResultText: string): { run_id: string; page: number } | undefined {
  const json = /"run_id":"(run_\w+)","page":\d+,"pages":\d+,"next_page":(\d+)/.exec(toolResultText);
  const text = /run_id "(run_\w+)" and page (\d+)/.exec(toolResultText);
  const m = json ?? text;
  return m ? { run_id: m[1]!, page: Number(m[2]) } : undefined;
}

/**
 * The text answer: it names the API and the user turn it answers (1 for a new conversation, 2 for
 * the second turn of a resumed one), so a test can tell a resumed turn from a fresh one.
 */
export function answerText(api: string, userTurns: number, d: Directives, afterTool: boolean): string {
  if (d.long) return longText(d.long);
  if (d.answer !== undefined && !afterTool) return d.answer;
  const base = afterTool ? `The command ran (${api} turn ${userTurns}).` : `Hello from mock ${api}, turn ${userTurns}.`;
  return d.echo ? `${base} You said ${d.echo}.` : base;
}

/** n characters of numbered lines, so a test can check that every part arrived in order. */
export function longText(n: number): string {
  let s = '';
  for (let i = 1; s.length < n; i++) s += `line ${String(i).padStart(6, '0')} of a long mock answer.\n`;
  return s.slice(0, n - 4) + '#END';
}

/** Splits text into a few chunks (streamed as separate deltas). */
export const chunks = (text: string): string[] => text.match(/[\s\S]{1,400}(?=\s|$)|[\s\S]{1,400}/g) ?? [text];

export type Handler = (req: LoggedRequest, res: ServerResponse) => void;

export async function startHttpMock(handle: Handler): Promise<Mock> {
  const requests: LoggedRequest[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c));
    req.on('end', () => {
      let body: unknown = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        body = { unparsed: raw };
      }
      const logged: LoggedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, at: Date.now() };
      requests.push(logged);
      try {
        handle(logged, res);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: String(err) } }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function sendSse(res: ServerResponse, events: { event?: string; data: unknown }[], eol = '\n'): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events) res.write(`${e.event ? `event: ${e.event}${eol}` : ''}data: ${JSON.stringify(e.data)}${eol}${eol}`);
  res.end();
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** What a WRITE_FILE directive writes, and codex's way to write it (codex 0.171 offers no apply_patch tool to an unknown model). */
export const WRITTEN = 'clinvk-wrote';
export const applyPatchCommand = (path: string): string =>
  `apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: ${path}\n+${WRITTEN}\n*** End Patch\nEOF\n`;
