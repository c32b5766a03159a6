// clinvk_prompt: one prompt on one backend, text streamed as progress, the answer as the result.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { RunResult } from '../../runtime/contract.ts';
import { collect } from '../../runtime/engine.ts';
import { resultToJson } from '../../runtime/wire.ts';
import { runFields, toInvocation } from '../../handlers/schemas/requests.ts';
import { plain, progressReporter, safely, type Extra, type ToolContext } from './common.ts';
import { runResultOutput } from './output-schemas.ts';
import { pageOf } from '../run-table.ts';

/** The run fields an agent needs, reused from the REST schema with descriptions written for agents. */
export const promptInput = {
  backend: runFields.backend.describe('Which agent CLI runs the prompt: "claude", "codex" or "gemini" (default from clinvk config). clinvk_backends lists which are installed.'),
  prompt: runFields.prompt.describe('The task or question for the agent, in plain language'),
  model: runFields.model,
  workdir: runFields.workdir.describe('Absolute directory the agent works in (reads and edits files there). Default: the directory clinvk was started in'),
  session_id: runFields.session_id.describe('Continue an earlier conversation: the session_id returned by a previous clinvk_prompt (or listed by clinvk_sessions). The backend is taken from the session'),
  approval_mode: runFields.approval_mode.describe('How the agent may act without asking: default, auto (auto-approve edits), none (never ask; act), always (ask for everything)'),
  sandbox_mode: runFields.sandbox_mode.describe('Filesystem sandbox where the backend supports it: default, read-only, workspace (write only in workdir), full'),
  max_turns: runFields.max_turns.describe('Limit on agent turns (claude only; 0 = no limit)'),
  system_prompt: runFields.system_prompt.describe('Extra instructions placed before the prompt'),
  ephemeral: runFields.ephemeral.describe('true: record no session (the run cannot be continued later)'),
  timeout_secs: runFields.timeout_secs,
  attachments: runFields.attachments.describe(
    'Images (png, jpeg, gif, webp) and files for the agent: each {name, media_type, data} with data in base64, or {path} of a file on the clinvk machine. Images reach the agent as images; other files as paths it can read',
  ),
  output_schema: runFields.output_schema.describe('A JSON Schema the answer must match: the answer is then that JSON alone (clinvk checks it, asks the agent once to fix a mismatch, else the call fails)'),
  effort: runFields.effort.describe('How hard the agent thinks: low, medium, high, max (claude and codex; gemini has no setting)'),
};

const DESCRIPTION = `Run one prompt on an AI coding agent CLI (claude, codex or gemini) and return its answer.
The agent works in workdir and may read, and depending on approval_mode/sandbox_mode edit, files there.
Each run is saved as a clinvk session unless ephemeral is true: pass the returned session_id back as session_id to continue the same conversation with full context.
The answer streams as progress notifications if you send a progress token; cancelling the call stops the agent.
Use clinvk_compare to ask several backends the same question, clinvk_chain for steps that build on each other, clinvk_parallel for independent tasks.`;

export function registerPrompt(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'clinvk_prompt',
    { title: 'Run a prompt on an AI coding agent', description: DESCRIPTION, inputSchema: promptInput, outputSchema: runResultOutput, annotations: { openWorldHint: true } },
    safely(ctx.runtime.log, async (args: z.infer<z.ZodObject<typeof promptInput>>, extra: Extra) => {
      const progress = progressReporter(extra, ctx.heartbeatMs);
      const result = await collect(ctx.runtime.run(toInvocation(args, ctx.defaultBackend), extra.signal), (ev) => {
        if (ev.type === 'text') progress.send(ev.text);
      });
      await progress.flush();
      // Too large for one tool result: keep it and hand out the first page, never a silent cut.
      if (!result.error && result.output.length > ctx.pageChars) return firstPageResult(ctx, result);
      return runToolResult(result);
    }),
  );
}

/**
 * Page 1 of an answer too large for one tool result. The way to the rest is in the text content and
 * in `structuredContent` (run_id, page, pages, next_page, and a warning), because clients such as
 * Claude Code and Codex hand their model the structured JSON, not the text (Claude Code only its first
 * 2 KB when the result is large, so the paging fields come first).
 */
export function firstPageResult(ctx: Pick<ToolContext, 'runs' | 'pageChars'>, result: RunResult): CallToolResult {
  const run = ctx.runs.keep(result);
  const first = pageOf(result.output, 1, ctx.pageChars);
  const more = `the answer continues: this is page 1 of ${first.pages} (${result.output.length} characters in all); call clinvk_result with run_id "${run.id}" and page 2 for the rest`;
  const r = runToolResult({ ...result, output: first.text, warnings: [...result.warnings, more] });
  r.content.push({ type: 'text', text: `[${more}]` });
  // First in the JSON: Claude Code saves a large result to a file and shows its model a 2 KB preview.
  r.structuredContent = { run_id: run.id, page: 1, pages: first.pages, next_page: 2, ...r.structuredContent };
  return r;
}

/** The answer alone in the first text block; what an agent needs to follow up in the second. */
export function runToolResult(r: RunResult): CallToolResult {
  const structuredContent = plain(resultToJson(r));
  const notes = [
    r.sessionId ? `session_id: ${r.sessionId} (pass it as session_id to clinvk_prompt to continue this conversation)` : '',
    `backend: ${r.backend}${r.model ? `, model: ${r.model}` : ''}`,
    ...r.warnings.map((w) => `warning: ${w}`),
  ].filter(Boolean);
  if (r.error) {
    const lines = [
      `${r.backend} failed (${r.error.code}, exit ${r.exitCode}): ${r.error.message}`,
      r.error.hint ? `Hint: ${r.error.hint}` : '',
      r.stderrTail ? `stderr:\n${r.stderrTail}` : '',
      r.output ? `Output before the failure:\n${r.output}` : '',
    ];
    return { isError: true, content: [{ type: 'text', text: lines.filter(Boolean).join('\n\n') }, { type: 'text', text: notes.join('\n') }], structuredContent };
  }
  const answer = r.command ? `dry run, would run in ${r.command.cwd}:\n${[r.command.binary, ...r.command.args].map(quote).join(' ')}` : r.output || '(the backend returned no text)';
  return { content: [{ type: 'text', text: answer }, { type: 'text', text: notes.join('\n') }], structuredContent };
}

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
