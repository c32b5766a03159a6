// clinvk_compare, clinvk_chain, clinvk_parallel: thin doors onto runtime/orchestrate.ts. Inputs are
// the REST request schemas (one source of truth); results are the REST JSON plus a text summary.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { chain, chainToJson, compare, compareToJson, parallel, parallelToJson, type ProgressEvent } from '../../runtime/orchestrate.ts';
import { chainRequestSchema, compareRequestSchema, parallelRequestSchema, toInvocation, type TaskRequest } from '../../handlers/schemas/requests.ts';
import { plain, progressReporter, safely, type Extra, type ToolContext } from './common.ts';
import { chainOutput, compareOutput, parallelOutput } from './output-schemas.ts';
import { chainText, compareText, failed, parallelText } from './summary.ts';

const compareInput = {
  ...compareRequestSchema.shape,
  backends: compareRequestSchema.shape.backends.describe('Backends to ask, e.g. ["claude","codex"]. Default: every installed backend (missing ones are skipped with a warning)'),
  sequential: compareRequestSchema.shape.sequential.describe('Run one backend after the other instead of all at once'),
};
const chainInput = {
  ...chainRequestSchema.shape,
  steps: chainRequestSchema.shape.steps.describe('Steps in order; each is like clinvk_prompt arguments plus an optional name. {{previous}} in a prompt is replaced by the previous step\'s output'),
  stop_on_failure: chainRequestSchema.shape.stop_on_failure.describe('Stop at the first failed step (default true)'),
  pass_working_dir: chainRequestSchema.shape.pass_working_dir.describe('Run every step in the first step\'s workdir'),
};
const { output_dir: _cliOnly, ...parallelShape } = parallelRequestSchema.shape;
const parallelInput = {
  ...parallelShape,
  tasks: parallelShape.tasks.describe('Independent tasks; each is like clinvk_prompt arguments plus an optional name'),
  max_parallel: parallelShape.max_parallel.describe('How many tasks run at once (default 3)'),
  fail_fast: parallelShape.fail_fast.describe('Cancel the remaining tasks when one fails'),
};

/** Streams each task's text as progress, tagged with the task it belongs to. */
function orchestrationProgress(extra: Extra, heartbeatMs: number) {
  const progress = progressReporter(extra, heartbeatMs);
  const labels = new Map<number, string>();
  const onProgress = (e: ProgressEvent): void => {
    if (e.type === 'task_start') {
      const label = `[${e.name ?? `${e.backend} #${e.index + 1}`}]`;
      labels.set(e.index, label);
      progress.send(`${label} started`);
    } else if (e.type === 'task_event') {
      if (e.event.type === 'text') progress.send(`${labels.get(e.index) ?? `[#${e.index + 1}]`} ${e.event.text}`);
    } else if (e.type === 'task_done') {
      const r = e.outcome.result;
      progress.send(`${labels.get(e.index) ?? `[#${e.index + 1}]`} ${e.outcome.skipped ? `skipped: ${e.outcome.skipped}` : r.error ? `failed: ${r.error.message}` : 'done'}`);
    } else {
      progress.send(`warning: ${e.message}`);
    }
  };
  return { onProgress, flush: progress.flush };
}

const withName = (t: TaskRequest, defaultBackend: string) => ({ ...toInvocation(t, defaultBackend), ...(t.name !== undefined ? { name: t.name } : {}) });

function summaryResult<J extends { results: z.infer<typeof compareOutput>['results'] }>(json: J, text: string, isError: boolean): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: plain(json), ...(isError ? { isError: true } : {}) };
}
const noneOk = (j: { results: z.infer<typeof compareOutput>['results'] }) => j.results.length > 0 && j.results.every(failed);

export function registerOrchestration(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'clinvk_compare',
    {
      title: 'Ask several agents the same prompt',
      description:
        'Send one prompt to several backends (claude, codex, gemini) at once and return every answer side by side, for a second opinion or to pick the best. Use clinvk_prompt for a single backend.',
      inputSchema: compareInput,
      outputSchema: compareOutput,
      annotations: { openWorldHint: true },
    },
    safely(ctx.runtime.log, async (args: z.infer<typeof compareRequestSchema>, extra: Extra) => {
      const { backend: _none, ...base } = toInvocation(args, '');
      const p = orchestrationProgress(extra, ctx.heartbeatMs);
      const summary = await compare(ctx.runtime, base, args.backends ?? 'all', { signal: extra.signal, onProgress: p.onProgress, ...(args.sequential !== undefined ? { sequential: args.sequential } : {}) });
      await p.flush();
      const json = compareToJson(summary) as z.infer<typeof compareOutput>;
      return summaryResult(json, compareText(json), noneOk(json));
    }),
  );

  server.registerTool(
    'clinvk_chain',
    {
      title: 'Run prompts in sequence, each building on the last',
      description:
        'Run steps one after another; {{previous}} in a step\'s prompt is replaced by the previous step\'s answer (e.g. step 1 claude writes a plan, step 2 codex reviews "{{previous}}"). Stops at the first failed step unless stop_on_failure is false. Returns every step\'s answer.',
      inputSchema: chainInput,
      outputSchema: chainOutput,
      annotations: { openWorldHint: true },
    },
    safely(ctx.runtime.log, async (args: z.infer<typeof chainRequestSchema>, extra: Extra) => {
      const p = orchestrationProgress(extra, ctx.heartbeatMs);
      const summary = await chain(
        ctx.runtime,
        args.steps.map((s) => withName(s, ctx.defaultBackend)),
        { signal: extra.signal, onProgress: p.onProgress, ...(args.stop_on_failure !== undefined ? { stopOnFailure: args.stop_on_failure } : {}), ...(args.pass_working_dir !== undefined ? { passWorkingDir: args.pass_working_dir } : {}) },
      );
      await p.flush();
      const json = chainToJson(summary) as z.infer<typeof chainOutput>;
      return summaryResult(json, chainText(json), json.failed_step != null || noneOk(json));
    }),
  );

  server.registerTool(
    'clinvk_parallel',
    {
      title: 'Run independent prompts at the same time',
      description:
        'Run several independent tasks concurrently (max_parallel at once, default 3), each on its own backend/workdir, and return every result. Use when tasks do not depend on each other; use clinvk_chain when they do.',
      inputSchema: parallelInput,
      outputSchema: parallelOutput,
      annotations: { openWorldHint: true },
    },
    safely(ctx.runtime.log, async (args: Omit<z.infer<typeof parallelRequestSchema>, 'output_dir'>, extra: Extra) => {
      const p = orchestrationProgress(extra, ctx.heartbeatMs);
      const summary = await parallel(
        ctx.runtime,
        args.tasks.map((t) => withName(t, ctx.defaultBackend)),
        { signal: extra.signal, onProgress: p.onProgress, ...(args.max_parallel !== undefined ? { maxParallel: args.max_parallel } : {}), ...(args.fail_fast !== undefined ? { failFast: args.fail_fast } : {}) },
      );
      await p.flush();
      const json = parallelToJson(summary) as z.infer<typeof parallelOutput>;
      return summaryResult(json, parallelText(json), noneOk(json));
    }),
  );
}
