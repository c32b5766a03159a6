// A loopback mock of the Gemini API (generateContent, streamGenerateContent?alt=sse, countTokens) for
// the real `gemini`. Gemini CLI also asks side questions with a JSON response schema (next speaker,
// model routing): those get a fixed JSON answer and are not conversation turns.
import { WRITTEN, answerText, chunks, directives, sendJson, sendSse, startHttpMock, type Mock } from './common.ts';

type Part = { text?: string; functionCall?: unknown; functionResponse?: unknown };
type Content = { role?: string; parts?: Part[] };

// Gemini CLI's own preamble (date, OS, folder listing) travels as a part of the first user message.
const PREAMBLE = /^\s*(This is the Gemini CLI|<session_context>)/;
const said = (c: Content) => (c.role === 'user' ? (c.parts ?? []).filter((p) => p.text && !PREAMBLE.test(p.text)).map((p) => p.text).join('\n') : '');

export function startGeminiMock(): Promise<Mock> {
  let n = 0;
  return startHttpMock((req, res) => {
    n++;
    const m = /models\/([^:/?]+):(\w+)/.exec(req.url);
    if (!m) return sendJson(res, 404, { error: { code: 404, message: `mock: ${req.url}`, status: 'NOT_FOUND' } });
    const [, model, method] = m;
    if (method === 'countTokens') return sendJson(res, 200, { totalTokens: 42 });
    const contents: Content[] = req.body.contents ?? [];
    const user = contents.map(said).filter((t) => t.trim());
    const last = contents[contents.length - 1];
    const afterTool = !!last && (last.parts ?? []).some((p) => p.functionResponse);
    const d = directives(user.join('\n'), user[user.length - 1] ?? '');
    if (d.status) {
      const bad = d.status === 400;
      return sendJson(res, d.status, { error: { code: d.status, message: bad ? 'API key not valid. Please pass a valid API key.' : `mock status ${d.status}`, status: bad ? 'INVALID_ARGUMENT' : 'UNAVAILABLE' } });
    }
    const gc = req.body.generationConfig ?? {};
    const usage = { promptTokenCount: 8230, candidatesTokenCount: 11, totalTokenCount: 8290, cachedContentTokenCount: 6100, thoughtsTokenCount: 49 };
    // gemini offers an MCP tool as a function declaration named mcp_<server>_<tool>.
    const offered: string[] = (req.body.tools ?? []).flatMap((t: { functionDeclarations?: { name?: string }[] }) => (t.functionDeclarations ?? []).map((f) => f.name ?? ''));
    const called = d.call && !afterTool ? offered.find((t) => t.endsWith(d.call!.name)) : undefined;
    let parts: Part[];
    if (gc.responseJsonSchema || gc.responseSchema || gc.responseMimeType === 'application/json') {
      parts = [{ text: JSON.stringify({ reasoning: 'simple', model_choice: 'flash', next_speaker: 'user', complexity_reasoning: 'simple', complexity_score: 10 }) }];
    } else if (called) {
      parts = [{ text: 'Calling the tool.' }, { functionCall: { name: called, args: d.call!.args } }];
    } else if (d.tool && !afterTool) {
      parts = [{ text: 'Running the command.' }, { functionCall: { name: 'run_shell_command', args: { command: d.tool, description: 'Run the requested command' } } }];
    } else if (d.write && !afterTool) {
      parts = [{ text: 'Writing the file.' }, { functionCall: { name: 'write_file', args: { file_path: d.write, content: `${WRITTEN}\n` } } }];
    } else {
      parts = chunks(answerText('gemini', user.length, d, afterTool)).map((text) => ({ text }));
    }
    const body = (p: Part[], last: boolean) => ({
      candidates: [{ content: { parts: p, role: 'model' }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) }],
      ...(last ? { usageMetadata: usage } : {}),
      modelVersion: model,
      responseId: `resp${n}`,
    });
    if (method === 'generateContent') return sendJson(res, 200, body(parts, true));
    sendSse(res, parts.map((p, i) => ({ data: body([p], i === parts.length - 1) })), '\r\n');
  });
}
