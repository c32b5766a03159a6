// gemini's flags, shared by the cold run (`--output-format stream-json … --prompt=`) and the live
// `--acp` process: both must start gemini with the same model, approval mode and sandbox.
import type { ApprovalMode } from '../contract.ts';
import { flagValue, noFlag, withSystemPrompt } from './argv.ts';
import { geminiDirFlags, geminiWithRefs } from './attachment-args.ts';
import { geminiToolArgs } from './gemini-tools.ts';
import type { ArgvRequest, BuiltArgv } from './types.ts';

/** --yolo and --approval-mode cannot be combined (gemini exits 1), so each mode is exactly one of them. */
const APPROVAL: Record<ApprovalMode, string[]> = {
  default: [],
  auto: ['--approval-mode', 'auto_edit'],
  none: ['--yolo'],
  always: ['--approval-mode', 'default'],
};

/** The flags both modes share, in the order the cold argv always had; `warnings` collects what has no flag. */
export function sharedArgs(req: Omit<ArgvRequest, 'prompt'>, warnings: string[]): string[] {
  const args: string[] = [];
  // Headless runs in an untrusted folder exit 55; the caller chose this workdir on purpose.
  if (req.options?.skip_trust !== false) args.push('--skip-trust');
  if (req.model) args.push('-m', flagValue('gemini', 'model', req.model));
  // read-only is gemini's own read-only mode (plan: no edit tools, no shell), whatever the approval mode;
  // workspace is its container sandbox (docker/podman, checked before the run: runtime/node/sandbox-preflight.ts).
  if (req.sandboxMode === 'read-only') {
    args.push('--approval-mode', 'plan');
    if (req.approvalMode === 'none') warnings.push('gemini has no read-only sandbox; sandbox_mode "read-only" runs it in its plan mode, which offers no shell commands either');
  } else args.push(...APPROVAL[req.approvalMode]);
  if (req.sandboxMode === 'workspace') args.push('--sandbox');
  // Measured (test/real/approval-matrix.json): gemini's write_file refuses any path outside its workspace.
  if (req.sandboxMode === 'full' && req.approvalMode === 'none') warnings.push('gemini\'s file tools never write outside the workdir (and --include-directories), whatever sandbox_mode says');
  if (req.maxTurns !== undefined && req.maxTurns > 0) warnings.push(noFlag('gemini', 'max_turns'));
  if (req.maxTokens !== undefined && req.maxTokens > 0) warnings.push(noFlag('gemini', 'max_tokens'));
  if (req.allowedTools && req.allowedTools.length > 0) warnings.push(noFlag('gemini', 'allowed_tools'));
  if (req.effort) warnings.push(`gemini has no reasoning effort setting; effort "${req.effort}" was ignored`);
  if (req.ephemeral) warnings.push('gemini always saves its session; ephemeral only keeps clinvk from recording it');
  return args;
}

export function buildArgs(req: ArgvRequest): BuiltArgv {
  const warnings: string[] = [];
  const env: Record<string, string> = {};
  const args = ['--output-format', 'stream-json', ...sharedArgs(req, warnings)];
  if (req.clientTools) args.push(...geminiToolArgs(req.clientTools, req.clientToolsHome, env));
  if (req.resumeId) args.push('--resume', flagValue('gemini', 'resume id', req.resumeId));
  args.push(...req.extra, ...geminiDirFlags(req.attachments, req.attachmentDir));
  const prompt = geminiWithRefs(withSystemPrompt(req.prompt, req.systemPrompt), req.attachments);
  // Without --prompt, gemini reads the prompt from stdin and still runs headless (checked on 0.61.0).
  const withEnv = Object.keys(env).length > 0 ? { env } : {};
  if (req.promptOnStdin) return { args, warnings, stdin: prompt, ...withEnv };
  // One element: `--` would drop the prompt and `-p <word>` reads "-x" as flags.
  args.push(`--prompt=${prompt}`);
  return { args, warnings, ...withEnv };
}
