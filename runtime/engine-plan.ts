// Turning an Invocation into the exact command to run: validation, config defaults, resume, argv.
// Pure; everything that touches the OS comes in through `PlanDeps`. Throws ClinvkError on bad input.
import { ClinvkError, EFFORTS, type Invocation, type Session, type SessionStore } from './contract.ts';
import { backendConfig, CONFIG_DEFAULTS } from './config-defaults.ts';
import type { Config } from './config.ts';
import { extraFlags, extraPaths, resolveModel } from './backends/options.ts';
import type { ArgvRequest, BackendAdapter } from './backends/types.ts';
import { checkExtraPaths, resolveWorkdir, type WorkdirPolicy } from './workdir.ts';
import { type AttachmentIO, stageAttachments, type StagedRun } from './attachments-stage.ts';
import { withSchemaInstruction } from './structured/answer.ts';
import type { ClientToolServer } from './tool-bridge.ts';

export interface RunPlan {
  backend: string;
  /** Resolved absolute path of the executable. */
  binary: string;
  args: string[];
  cwd: string;
  /** Extra environment the backend wants on top of the base env (e.g. TMPDIR). */
  env: Record<string, string>;
  stdin?: string;
  model?: string;
  /** Options the backend has no flag for, and other notices. */
  warnings: string[];
  ephemeral: boolean;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  /** Set when resuming: our session and the backend's native id. */
  resume?: { sessionId: string; backendSessionId: string };
}

export interface PlanDeps {
  config: Config;
  adapters: Record<string, BackendAdapter>;
  sessions?: SessionStore;
  which(command: string): Promise<string | undefined>;
  realpath(path: string): Promise<string>;
  /** Whether a resolved workdir is a directory (a file would make the spawn fail). Absent: not checked. */
  isDirectory?(path: string): Promise<boolean>;
  cwd: string;
  workdirPolicy?: WorkdirPolicy;
  /** Where attachments are read, fetched and written; absent = a run with attachments is refused. */
  attachments?: AttachmentIO;
}

/** The plan plus what only the engine needs. */
export interface PlanInternal extends RunPlan {
  adapter: BackendAdapter;
  session?: Session;
  /** What the argv was built from: a live agent's start parameters are this without the prompt. */
  argvRequest: ArgvRequest;
  /** The run's attachments in their private folder: the engine removes it when the run ends, however it ends. */
  staged?: StagedRun;
}

const positive = (n: number | undefined): number | undefined => (n !== undefined && n > 0 ? n : undefined);
const secs = (s: number): number | undefined => positive(s * 1000);

/**
 * The longest single argument a process can be given: Linux refuses (E2BIG) an argv element of
 * 128 KiB or more (MAX_ARG_STRLEN, counting its terminating NUL).
 */
export const MAX_ARG_BYTES = 128 * 1024 - 1;

/**
 * A prompt (with the system prompt codex and gemini put in front of it) longer than this goes to the
 * backend on stdin instead of as its last argument. Not always stdin: the argument is the form every
 * sample and `--dry-run` shows, the one a user can paste into a shell. Not right at MAX_ARG_BYTES
 * either: macOS counts arguments and environment together against 1 MiB, and a command line of tens of
 * kilobytes is unreadable anyway. Every CLI reads a whole prompt from stdin (checked up to 1 MiB).
 */
export const PROMPT_ON_STDIN_ABOVE_BYTES = 32 * 1024;

/** Fields that end up in the backend's argv, where a NUL cannot go (the spawn itself would fail). */
const ARGV_FIELDS: [name: string, get: (inv: Invocation) => string | string[] | undefined][] = [
  ['prompt', (i) => i.prompt],
  ['system_prompt', (i) => i.systemPrompt],
  ['model', (i) => i.model],
  ['extra', (i) => i.extra],
  ['allowed_tools', (i) => i.allowedTools],
];

function refuseNul(inv: Invocation): void {
  for (const [name, get] of ARGV_FIELDS) {
    const v = get(inv);
    if ((Array.isArray(v) ? v : v === undefined ? [] : [v]).some((s) => typeof s === 'string' && s.includes('\0'))) {
      throw new ClinvkError('INVALID_INPUT', `${name} contains a NUL character (\\0), which cannot be passed to a backend CLI`);
    }
  }
}

/** The exact UTF-8 length (a lone surrogate is sent as U+FFFD, 3 bytes), without encoding a copy. */
export function utf8Bytes(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: 2 code units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

/** config max_prompt_bytes, on every door: the prompt and the system prompt that goes with it, together. */
function refuseOversized(bytes: number, max: number): void {
  if (bytes <= max) return;
  throw new ClinvkError('PROMPT_TOO_LARGE', `the prompt is too large: ${bytes} bytes (with its system prompt), and this clinvk accepts at most ${max} (max_prompt_bytes)`, {
    hint: 'shorten it, or put the long text in a file in the workdir and ask the agent to read it; the limit is the max_prompt_bytes setting',
    details: { bytes, max_prompt_bytes: max },
  });
}

/** Refuses a command the OS would not start, before a session is recorded for it. */
function refuseUnspawnable(args: string[], env: Record<string, string>, displayName: string): void {
  if ([...args, ...Object.values(env)].some((a) => a.includes('\0'))) {
    throw new ClinvkError('INVALID_INPUT', `an option contains a NUL character (\\0), which cannot be passed to ${displayName}`);
  }
  // A long prompt goes on stdin; what can still be too long is an argument of its own (claude's --system-prompt).
  const longest = Math.max(0, ...args.map(utf8Bytes));
  if (longest > MAX_ARG_BYTES) {
    throw new ClinvkError('INVALID_INPUT', `an option is too long: one command-line argument would be ${longest} bytes, and ${displayName} can be given at most ${MAX_ARG_BYTES}`, {
      hint: 'shorten the system prompt (claude takes it as one argument), or put it at the start of the prompt, which has no such limit',
    });
  }
}

/** Why a backend's command is missing, without printing a configured path (the machine's layout). */
export function notFound(backend: string, command: string): string {
  return command.includes('/') ? `the command set in backends.${backend}.command was not found` : `${command} was not found on PATH`;
}

export async function makePlan(inv: Invocation, deps: PlanDeps, clientTools?: ClientToolServer): Promise<PlanInternal> {
  if (typeof inv.prompt !== 'string' || inv.prompt.trim() === '') {
    throw new ClinvkError('INVALID_INPUT', 'the prompt is empty', { hint: 'pass a prompt as an argument or on stdin' });
  }
  refuseNul(inv);
  if (inv.effort !== undefined && !EFFORTS.includes(inv.effort)) {
    throw new ClinvkError('INVALID_INPUT', `effort must be one of ${EFFORTS.join(', ')} (got "${String(inv.effort)}")`);
  }
  const session = inv.sessionId ? await resumable(inv.sessionId, deps.sessions) : undefined;
  const backend = session?.backend ?? inv.backend;
  const adapter = Object.hasOwn(deps.adapters, backend) ? deps.adapters[backend] : undefined;
  if (!adapter) {
    const known = Object.keys(deps.adapters).join(', ');
    throw new ClinvkError('UNKNOWN_BACKEND', `unknown backend "${backend}"; known backends: ${known}`, { details: { backend, known } });
  }
  if (inv.clientTools?.tools.length && !adapter.clientTools) {
    throw new ClinvkError('INVALID_INPUT', `${adapter.displayName} cannot be offered the caller's own tools (function tools) by clinvk yet; use claude, codex or gemini`, { details: { param: 'tools' } });
  }
  const bc = backendConfig(deps.config, backend);
  if (!bc.enabled) {
    throw new ClinvkError('BACKEND_UNAVAILABLE', `backend ${backend} is disabled in the config`, {
      hint: `set backends.${backend}.enabled to true (clinvk config set backends.${backend}.enabled true)`,
    });
  }
  const command = bc.command ?? adapter.binary;
  const binary = await deps.which(command);
  if (!binary) {
    throw new ClinvkError('BACKEND_UNAVAILABLE', `${adapter.displayName}: ${notFound(backend, command)}`, { hint: adapter.installHint, ...(command.includes('/') ? { detail: `${command} does not exist or is not executable` } : {}) });
  }
  const requestedFlags = extraFlags(adapter, inv.extra ?? []); // throws on a flag off the allow-list
  const extra = [...bc.extra_flags, ...(inv.extra ?? [])];
  const cwd = await resolveWorkdir(inv.workdir ?? session?.workingDir, {
    cwd: deps.cwd,
    realpath: deps.realpath,
    ...(deps.isDirectory ? { isDirectory: deps.isDirectory } : {}),
    ...(deps.workdirPolicy ? { policy: deps.workdirPolicy } : {}),
  });
  // The caller's extra paths obey the same rules (the config's own extra_flags are the operator's).
  if (deps.workdirPolicy) await checkExtraPaths(extraPaths(requestedFlags), { cwd, realpath: deps.realpath, policy: deps.workdirPolicy });

  // Precedence: invocation > backends.<name> > unified_flags.
  const uf = deps.config.unified_flags;
  const model = resolveModel(deps.config, backend, inv.model);
  const allowedTools = inv.allowedTools ?? (bc.allowed_tools.length > 0 ? bc.allowed_tools : undefined);
  const systemPrompt = inv.systemPrompt ?? bc.system_prompt;
  const maxTurns = positive(inv.maxTurns ?? uf.max_turns);
  const maxTokens = positive(inv.maxTokens ?? uf.max_tokens);
  // A backend with no schema flag gets the schema in the prompt (runtime/structured/).
  const schemaInPrompt = inv.outputSchema !== undefined && (adapter.schemaAs ?? 'prompt') === 'prompt';
  const prompt = schemaInPrompt ? withSchemaInstruction(inv.prompt, inv.outputSchema!) : inv.prompt;
  const promptBytes = utf8Bytes(prompt) + utf8Bytes(systemPrompt ?? '');
  refuseOversized(promptBytes, deps.config.max_prompt_bytes ?? CONFIG_DEFAULTS.max_prompt_bytes);
  const argvRequest: ArgvRequest = {
    prompt,
    workdir: cwd,
    approvalMode: inv.approvalMode ?? bc.approval_mode ?? uf.approval_mode,
    sandboxMode: inv.sandboxMode ?? bc.sandbox_mode ?? uf.sandbox_mode,
    extra,
    ephemeral: inv.ephemeral === true,
    promptOnStdin: promptBytes > PROMPT_ON_STDIN_ABOVE_BYTES,
    options: { skip_trust: bc.skip_trust },
    ...(model !== undefined ? { model } : {}),
    ...(maxTurns !== undefined ? { maxTurns } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(systemPrompt !== undefined ? { systemPrompt } : {}),
    ...(allowedTools !== undefined ? { allowedTools } : {}),
    ...(session?.backendSessionId ? { resumeId: session.backendSessionId } : {}),
    // Only for a backend that takes it in its argv or protocol: in the prompt, it would needlessly split live agents by schema.
    ...(inv.outputSchema && !schemaInPrompt ? { outputSchema: inv.outputSchema } : {}),
    ...(inv.effort ? { effort: inv.effort } : {}),
    ...(clientTools ? { clientTools } : {}),
  };
  // Last of the checks that can refuse the run: after it, a folder exists that must be removed on any throw.
  const staged = inv.attachments?.length
    ? await stageAttachments(inv.attachments, { adapter, cwd, dryRun: inv.dryRun === true }, { config: deps.config, io: deps.attachments, realpath: deps.realpath, ...(deps.workdirPolicy ? { workdirPolicy: deps.workdirPolicy } : {}) })
    : undefined;
  if (staged) Object.assign(argvRequest, { attachments: staged.files, attachmentDir: staged.dir });
  let built: ReturnType<BackendAdapter['buildArgs']>;
  try {
    built = adapter.buildArgs(argvRequest);
    refuseUnspawnable(built.args, built.env ?? {}, adapter.displayName);
  } catch (err) {
    await staged?.remove();
    throw err;
  }

  const timeoutMs = inv.timeoutMs !== undefined ? positive(inv.timeoutMs) : secs(uf.command_timeout_secs);
  const idleTimeoutMs = inv.idleTimeoutMs !== undefined ? positive(inv.idleTimeoutMs) : secs(uf.idle_timeout_secs);
  const plan: PlanInternal = {
    backend,
    adapter,
    argvRequest,
    binary,
    args: built.args,
    cwd,
    env: built.env ?? {},
    warnings: [...built.warnings],
    ephemeral: inv.ephemeral === true,
  };
  if (staged) plan.staged = staged;
  if (built.stdin !== undefined) plan.stdin = built.stdin;
  if (model !== undefined) plan.model = model;
  if (timeoutMs !== undefined) plan.timeoutMs = timeoutMs;
  if (idleTimeoutMs !== undefined) plan.idleTimeoutMs = idleTimeoutMs;
  if (session?.backendSessionId) {
    plan.session = session;
    plan.resume = { sessionId: session.id, backendSessionId: session.backendSessionId };
  }
  return plan;
}

async function resumable(idOrPrefix: string, store: SessionStore | undefined): Promise<Session> {
  if (!store) throw new ClinvkError('SESSION_STORE', 'sessions are not available here, so a session cannot be resumed');
  const s = await store.get(idOrPrefix);
  if (!s.backendSessionId) {
    throw new ClinvkError('SESSION_NOT_RESUMABLE', `session ${s.id} has no ${s.backend} session id to resume`, {
      hint: 'its first run probably failed before the backend started a session; start a new one',
    });
  }
  return s;
}

/** The public view of a plan (what `--dry-run` shows). */
export function publicPlan(p: PlanInternal): RunPlan {
  const { adapter: _a, session: _s, argvRequest: _r, staged: _st, ...rest } = p;
  return rest;
}
