// clinvk_start / clinvk_status / clinvk_result / clinvk_cancel: runs longer than an MCP client waits
// for one call (many give up after about 60 s). Large answers come back in stable pages.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { toInvocation } from '../../handlers/schemas/requests.ts';
import { resultToJson } from '../../runtime/wire.ts';
import { pageOf, type BackgroundRun } from '../run-table.ts';
import { plain, safely, seconds, type ToolContext } from './common.ts';
import { promptInput } from './prompt.ts';

const STATES = ['running', 'completed', 'failed', 'cancelled'] as const;
const statusOutput = {
  run_id: z.string(),
  backend: z.string(),
  state: z.enum(STATES),
  elapsed_secs: z.number(),
  text_chars: z.number(),
};
const resultOutput = {
  ...statusOutput,
  page: z.number(),
  pages: z.number(),
  next_page: z.number().optional(),
  result: z.record(z.string(), z.unknown()).optional().describe('The run as clinvk_prompt reports it, with this page as output'),
};

const runId = { run_id: z.string().min(1).max(64).describe('The run_id clinvk_start returned') };

const notFound = (id: string): CallToolResult => ({
  isError: true,
  content: [{ type: 'text', text: `no run ${id}: runs are kept for an hour after they finish (and 100 at most); start it again with clinvk_start` }],
});

function snapshot(run: BackgroundRun, now: number) {
  return { run_id: run.id, backend: run.backend, state: run.state, elapsed_secs: Math.round(((run.finishedAt ?? now) - run.startedAt) / 100) / 10, text_chars: run.text.length };
}

/** One page of a run's text plus where to go next, as text and structured content. */
export function pagedResult(run: BackgroundRun, page: number, size: number, now: number): CallToolResult {
  const p = pageOf(run.text, page, size);
  const status = snapshot(run, now);
  const more = p.nextPage ? `\n\n[page ${p.page} of ${p.pages}: call clinvk_result with run_id "${run.id}" and page ${p.nextPage} for the rest]` : p.pages > 1 ? `\n\n[page ${p.page} of ${p.pages}, the last]` : '';
  const structured = { ...status, page: p.page, pages: p.pages, next_page: p.nextPage, result: run.result ? resultToJson({ ...run.result, output: p.text }) : undefined };
  if (run.state === 'running') {
    return { content: [{ type: 'text', text: `still running after ${seconds(now - run.startedAt)}; ${run.text.length} characters so far. Call clinvk_result again to keep waiting, or clinvk_cancel to stop it.` }], structuredContent: plain(structured) };
  }
  const failed = run.state !== 'completed';
  const head = failed ? `${run.backend} ${run.state}: ${run.result?.error?.message ?? 'unknown error'}${p.text ? `\n\nOutput:\n` : ''}` : '';
  return { ...(failed ? { isError: true } : {}), content: [{ type: 'text', text: `${head}${p.text}${more}` }], structuredContent: plain(structured) };
}

export function registerBackground(server: McpServer, ctx: ToolContext): void {
  const now = () => Date.now();
  server.registerTool(
    'clinvk_start',
    {
      title: 'Start a long agent run in the background',
      description: `Start a prompt on claude, codex or gemini and return a run_id at once, without waiting for the answer.
Use this instead of clinvk_prompt for work that may take more than a minute (refactors, test fixing, reviews of many files): your client may give up on a long call.
Then call clinvk_result (it waits up to wait_secs for the answer), clinvk_status to peek, clinvk_cancel to stop. Same arguments as clinvk_prompt.`,
      inputSchema: promptInput,
      outputSchema: statusOutput,
    },
    safely(ctx.runtime.log, async (args: z.infer<z.ZodObject<typeof promptInput>>) => {
      const run = await ctx.runs.start(ctx.runtime, toInvocation(args, ctx.defaultBackend));
      return { content: [{ type: 'text', text: `started ${run.id} on ${run.backend}; call clinvk_result with this run_id to get the answer` }], structuredContent: plain(snapshot(run, now())) };
    }),
  );
  server.registerTool(
    'clinvk_status',
    { title: 'State of a background run', description: 'State (running, completed, failed, cancelled), elapsed time and the last part of the text so far of a run started with clinvk_start. Returns at once.', inputSchema: runId, outputSchema: statusOutput },
    safely(ctx.runtime.log, async ({ run_id }: { run_id: string }) => {
      const run = ctx.runs.get(run_id);
      if (!run) return notFound(run_id);
      const s = snapshot(run, now());
      const tail = run.text.length > 2000 ? `…${run.text.slice(-2000)}` : run.text;
      return { content: [{ type: 'text', text: `${run.id}: ${s.state} after ${s.elapsed_secs}s, ${s.text_chars} characters${tail ? `\n\n${tail}` : ''}` }], structuredContent: plain(s) };
    }),
  );
  server.registerTool(
    'clinvk_result',
    {
      title: 'Wait for and read a run\'s answer',
      description: `Wait up to wait_secs (default 30, at most 300) for a run to finish, then return its answer. If it is still running, says so: call again.
Answers larger than about ${ctx.pageTokens} tokens come in pages: the result names next_page; pages stay the same while the run is kept (an hour).`,
      inputSchema: { ...runId, wait_secs: z.number().min(0).max(300).optional(), page: z.number().int().min(1).optional() },
      outputSchema: resultOutput,
    },
    safely(ctx.runtime.log, async ({ run_id, wait_secs, page }: { run_id: string; wait_secs?: number | undefined; page?: number | undefined }, extra) => {
      const run = ctx.runs.get(run_id);
      if (!run) return notFound(run_id);
      if (run.state === 'running') {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([run.done, new Promise<void>((r) => (timer = setTimeout(r, (wait_secs ?? 30) * 1000))), new Promise<void>((r) => extra.signal.addEventListener('abort', () => r(), { once: true }))]);
        clearTimeout(timer);
      }
      return pagedResult(run, page ?? 1, ctx.pageChars, now());
    }),
  );
  server.registerTool(
    'clinvk_cancel',
    { title: 'Cancel a background run', description: 'Stop a run started with clinvk_start: the agent and every process it started are killed.', inputSchema: runId, outputSchema: statusOutput },
    safely(ctx.runtime.log, async ({ run_id }: { run_id: string }) => {
      const run = ctx.runs.cancel(run_id);
      if (!run) return notFound(run_id);
      await Promise.race([run.done, new Promise((r) => setTimeout(r, 5000))]);
      return { content: [{ type: 'text', text: `${run.id}: ${run.state}` }], structuredContent: plain(snapshot(run, now())) };
    }),
  );
}
