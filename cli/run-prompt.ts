// Running one prompt from the CLI, shared by `clinvk <prompt>` and `clinvk resume`: dry runs,
// live rendering, Ctrl-C, and the exit code.
import type { Writable } from 'node:stream';
import type { Invocation } from '../runtime/contract.ts';
import { utf8Bytes } from '../runtime/engine-plan.ts';
import type { NodeRuntime } from '../runtime/node/index.ts';
import { reportError, withInterrupt } from './context.ts';
import { exitCodeOfResult } from './exit-codes.ts';
import { createRunRenderer, type OutputFormat } from './render/run.ts';

export interface PromptRun {
  rt: NodeRuntime;
  inv: Invocation;
  format: OutputFormat;
  stdout: Writable;
  stderr: Writable;
  verbose?: boolean;
}

/** Quoting for display only (the command is always spawned as an argv array). */
export const shellQuote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export async function runPrompt(p: PromptRun): Promise<number> {
  try {
    if (p.inv.dryRun) {
      const plan = await p.rt.plan(p.inv);
      const stdinBytes = plan.stdin === undefined ? undefined : utf8Bytes(plan.stdin);
      if (p.format === 'text') {
        p.stdout.write(`${[plan.binary, ...plan.args].map(shellQuote).join(' ')}\n`);
        if (stdinBytes !== undefined) p.stderr.write(`(the prompt, ${stdinBytes} bytes, would go on stdin)\n`);
        p.stderr.write(`(cwd: ${plan.cwd}; nothing was run)\n`);
        for (const w of plan.warnings) p.stderr.write(`warning: ${w}\n`);
      } else {
        const dry = { dry_run: true, backend: plan.backend, command: [plan.binary, ...plan.args], cwd: plan.cwd, stdin_bytes: stdinBytes ?? null, warnings: plan.warnings, resume: plan.resume };
        p.stdout.write(`${JSON.stringify(dry, null, 2)}\n`);
      }
      return 0;
    }
    return await withInterrupt(async (signal) => {
      const renderer = createRunRenderer(p.format, p);
      for await (const e of p.rt.run(p.inv, signal)) {
        if (e.type === 'done') {
          renderer.end(e.result);
          return exitCodeOfResult(e.result);
        }
        renderer.event(e);
      }
      return 1;
    });
  } catch (err) {
    return reportError(err, p.stderr);
  }
}
