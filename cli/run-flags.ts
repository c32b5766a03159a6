// The run flags of `clinvk <prompt>` and `clinvk resume` as plain data, and what they turn into: a
// Node runtime, an Invocation, an output format. No clipanion here: the quick path (quick-argv.ts)
// reads the common flags itself and must reach the same functions as the clipanion commands.
import { resolve } from 'node:path';
import type { ApprovalMode, Effort, Invocation, SandboxMode } from '../runtime/contract.ts';
import { jsonSchemaArg } from './json-schema-arg.ts';
import type { NodeRuntime } from '../runtime/node/index.ts';
import { isTty } from './context.ts';
import type { OutputFormat } from './render/run.ts';

export interface RunFlags {
  config?: string | undefined;
  backend?: string | undefined;
  model?: string | undefined;
  workdir?: string | undefined;
  output?: string | undefined;
  dryRun: boolean;
  ephemeral: boolean;
  approval?: ApprovalMode | undefined;
  sandbox?: SandboxMode | undefined;
  maxTurns?: number | undefined;
  systemPrompt?: string | undefined;
  timeout?: number | undefined;
  idleTimeout?: number | undefined;
  extra?: string[] | undefined;
  /** --image / --file, repeatable: paths from the current directory. */
  images?: string[] | undefined;
  files?: string[] | undefined;
  verbose: boolean;
  /** A JSON Schema file, or the schema as JSON. */
  jsonSchema?: string | undefined;
  effort?: Effort | undefined;
}

/** `clinvk <prompt>`'s flags: the run flags and `-c`. */
export interface PromptFlags extends RunFlags {
  continue: boolean;
}

export async function runtimeFor(flags: RunFlags): Promise<NodeRuntime> {
  const { createNodeRuntime } = await import('../runtime/node/index.ts');
  return createNodeRuntime({
    env: process.env,
    cwd: process.cwd(),
    mode: 'cli',
    ...(flags.config !== undefined ? { configPath: flags.config } : {}),
    ...(flags.verbose ? { logLevel: 'debug' } : {}),
  });
}

/** The flag, else the config's `output.format`, else text on a terminal and json when piped. */
export function formatOf(flags: RunFlags, rt: NodeRuntime, stdout: unknown): OutputFormat {
  return (flags.output as OutputFormat | undefined) ?? (rt.config.output.format as OutputFormat | undefined) ?? (isTty(stdout) ? 'text' : 'json');
}

/** The flags as an Invocation (the engine applies config defaults for what is not set). */
export function invocationOf(flags: RunFlags, rt: NodeRuntime, prompt: string): Invocation {
  const inv: Invocation = { backend: flags.backend ?? rt.config.default_backend, prompt };
  if (flags.model) inv.model = flags.model;
  if (flags.workdir) inv.workdir = flags.workdir;
  if (flags.ephemeral) inv.ephemeral = true;
  if (flags.dryRun) inv.dryRun = true;
  if (flags.approval) inv.approvalMode = flags.approval;
  if (flags.sandbox) inv.sandboxMode = flags.sandbox;
  if (flags.maxTurns !== undefined) inv.maxTurns = flags.maxTurns;
  if (flags.systemPrompt) inv.systemPrompt = flags.systemPrompt;
  if (flags.timeout !== undefined) inv.timeoutMs = Math.round(flags.timeout * 1000);
  if (flags.idleTimeout !== undefined) inv.idleTimeoutMs = Math.round(flags.idleTimeout * 1000);
  if (flags.extra?.length) inv.extra = flags.extra;
  // Paths as the user typed them, from where they typed them (not from --workdir).
  const attachments = [...(flags.images ?? []).map((p) => ({ path: resolve(p), kind: 'image' as const })), ...(flags.files ?? []).map((p) => ({ path: resolve(p), kind: 'file' as const }))];
  if (attachments.length) inv.attachments = attachments;
  if (flags.jsonSchema !== undefined) inv.outputSchema = jsonSchemaArg(flags.jsonSchema);
  if (flags.effort) inv.effort = flags.effort;
  return inv;
}
