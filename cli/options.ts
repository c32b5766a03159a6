// Options several commands share as clipanion options; what they turn into is run-flags.ts's job
// (shared with the quick path of main.ts). The runtime loads lazily, so `--help` never pays for it.
import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { APPROVAL_MODES, EFFORTS, SANDBOX_MODES, type Invocation } from '../runtime/contract.ts';
import type { NodeRuntime } from '../runtime/node/index.ts';
import type { OutputFormat } from './render/run.ts';
import { formatOf, invocationOf, runtimeFor, type RunFlags } from './run-flags.ts';

const seconds = t.cascade(t.isNumber(), [t.isInInclusiveRange(0, 86_400)]);

/** The run flags of `clinvk <prompt>` and `clinvk resume`. */
export abstract class RunCommand extends Command implements RunFlags {
  config = Option.String('--config', { description: 'Config file (default: $CLINVK_HOME/config.yaml, ~/.clinvk/config.yaml)' });
  backend = Option.String('-b,--backend', { description: 'Backend: claude, codex or gemini (default: config default_backend)' });
  model = Option.String('-m,--model', { description: 'Model, or an alias: fast, balanced, best' });
  workdir = Option.String('-w,--workdir', { description: 'Directory the backend works in (default: the current one)' });
  output = Option.String('-o,--output-format', { description: 'text | json | stream-json (default: text on a terminal, json when piped)', validator: t.isEnum(['text', 'json', 'stream-json']) });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Print the exact command and run nothing' });
  ephemeral = Option.Boolean('--ephemeral', false, { description: 'Record no session' });
  approval = Option.String('--approval', { description: `Approval mode: ${APPROVAL_MODES.join(', ')}`, validator: t.isEnum(APPROVAL_MODES) });
  sandbox = Option.String('--sandbox', { description: `Sandbox mode: ${SANDBOX_MODES.join(', ')}`, validator: t.isEnum(SANDBOX_MODES) });
  maxTurns = Option.String('--max-turns', { description: 'Maximum agent turns (claude)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(0)]) });
  systemPrompt = Option.String('--system-prompt', { description: 'System prompt' });
  timeout = Option.String('-t,--timeout', { description: 'Kill the run after this many seconds', validator: seconds });
  idleTimeout = Option.String('--idle-timeout', { description: 'Kill the run after this many seconds without output', validator: seconds });
  extra = Option.Array('--extra', { description: 'An extra backend flag (allow-listed; repeat for several), e.g. --extra=--add-dir --extra=/src' });
  images = Option.Array('--image', { description: 'Attach an image (png, jpeg, gif, webp); repeat for several' });
  files = Option.Array('--file', { description: 'Attach a file the agent can read (e.g. a PDF); repeat for several' });
  verbose = Option.Boolean('--verbose', false, { description: 'Show tool activity and debug logs on stderr' });
  jsonSchema = Option.String('--json-schema', { description: 'Answer with JSON matching this JSON Schema (a file, or the schema as JSON); the output is that JSON alone' });
  effort = Option.String('--effort', { description: `Reasoning effort: ${EFFORTS.join(', ')} (gemini has none)`, validator: t.isEnum(EFFORTS) });

  protected runtime(): Promise<NodeRuntime> {
    return runtimeFor(this);
  }

  protected format(rt: NodeRuntime): OutputFormat {
    return formatOf(this, rt, this.context.stdout);
  }

  /** The flags as an Invocation (the engine applies config defaults for what is not set). */
  protected invocation(rt: NodeRuntime, prompt: string): Invocation {
    return invocationOf(this, rt, prompt);
  }
}

/** `--config` alone, for commands that need the runtime but no run flags. */
export abstract class ConfigCommand extends Command {
  config = Option.String('--config', { description: 'Config file (default: ~/.clinvk/config.yaml)' });

  protected async runtime(): Promise<NodeRuntime> {
    const { createNodeRuntime } = await import('../runtime/node/index.ts');
    return createNodeRuntime({ env: process.env, cwd: process.cwd(), mode: 'cli', ...(this.config !== undefined ? { configPath: this.config } : {}) });
  }

  /** The session store alone, for commands that start no run. */
  protected async sessionStore() {
    const { openSessionStore } = await import('../runtime/node/open-sessions.ts');
    return openSessionStore(process.env);
  }

  /** The effective configuration (file + environment + defaults). */
  protected async loadedConfig() {
    const { loadConfig } = await import('../runtime/node/config.ts');
    return (await loadConfig({ env: process.env, ...(this.config !== undefined ? { path: this.config } : {}) })).config;
  }
}
