// Gemini CLI (`gemini`, yargs parser). Flags checked against cli-samples/gemini-help.txt (0.61.0).
import type { ApprovalMode } from '../contract.ts';
import { flagValue, noFlag, withSystemPrompt } from './argv.ts';
import { createGeminiParser } from './gemini-parser.ts';
import type { ParserOptions } from './jsonl.ts';
import type { ArgvRequest, BackendAdapter, BuiltArgv, OutputParser } from './types.ts';

/** --yolo and --approval-mode cannot be combined (gemini exits 1), so each mode is exactly one of them. */
const APPROVAL: Record<ApprovalMode, string[]> = {
  default: [],
  auto: ['--approval-mode', 'auto_edit'],
  none: ['--yolo'],
  always: ['--approval-mode', 'default'],
};

function buildArgs(req: ArgvRequest): BuiltArgv {
  const warnings: string[] = [];
  const args = ['--output-format', 'stream-json'];
  // Headless runs in an untrusted folder exit 55; the caller chose this workdir on purpose.
  if (req.options?.skip_trust !== false) args.push('--skip-trust');
  if (req.model) args.push('-m', flagValue('gemini', 'model', req.model));
  args.push(...APPROVAL[req.approvalMode]);
  // --sandbox is a container sandbox (docker/podman): the closest gemini has to read-only or workspace.
  if (req.sandboxMode === 'read-only' || req.sandboxMode === 'workspace') args.push('--sandbox');
  if (req.sandboxMode === 'read-only') warnings.push('gemini has no read-only sandbox; it runs in its container sandbox (--sandbox) instead');
  if (req.maxTurns !== undefined && req.maxTurns > 0) warnings.push(noFlag('gemini', 'max_turns'));
  if (req.maxTokens !== undefined && req.maxTokens > 0) warnings.push(noFlag('gemini', 'max_tokens'));
  if (req.allowedTools && req.allowedTools.length > 0) warnings.push(noFlag('gemini', 'allowed_tools'));
  if (req.ephemeral) warnings.push('gemini always saves its session; ephemeral only keeps clinvk from recording it');
  if (req.resumeId) args.push('--resume', flagValue('gemini', 'resume id', req.resumeId));
  args.push(...req.extra);
  const prompt = withSystemPrompt(req.prompt, req.systemPrompt);
  // Without --prompt, gemini reads the prompt from stdin and still runs headless (checked on 0.61.0).
  if (req.promptOnStdin) return { args, warnings, stdin: prompt };
  // One element: `--` would drop the prompt and `-p <word>` reads "-x" as flags.
  args.push(`--prompt=${prompt}`);
  return { args, warnings };
}

export const gemini: BackendAdapter & { createParser(opts?: ParserOptions): OutputParser } = {
  name: 'gemini',
  binary: 'gemini',
  displayName: 'Gemini CLI',
  installHint: 'Install the Gemini CLI with `npm i -g @google/gemini-cli`, then run `gemini` once to authenticate.',
  loginHint: 'Run `gemini` once to authenticate (or set GEMINI_API_KEY).',
  versionArgs: ['--version'],
  buildArgs,
  createParser: (opts?: ParserOptions) => createGeminiParser(opts?.format ?? 'stream-json'),
  // Not allowed: --yolo/--approval-mode/--policy (approval), -o/--raw-output (output), --session-id,
  // --resume, -p/-i (prompt), --debug (opens a debug console).
  extraAllowList: {
    '--include-directories': 1,
    '-e': 1,
    '--extensions': 1,
    '--allowed-mcp-server-names': 1,
  },
};
