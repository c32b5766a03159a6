// OpenAI Codex CLI (`codex`, clap parser). Flags checked against cli-samples/codex-help.txt,
// codex-exec-help.txt and codex-exec-resume-help.txt (0.169.0), and the resume overrides and the
// prompt on stdin against the real codex 0.171.0.
import type { ApprovalMode, SandboxMode } from '../contract.ts';
import { CODEX_EFFORT } from './effort-levels.ts';
import { SCHEMA_FILE_PLACEHOLDER } from '../structured/schema-file.ts';
import { flagValue, noFlag, withSystemPrompt } from './argv.ts';
import { codexImageFlags, withFileList } from './attachment-args.ts';
import { codexApp } from './codex-app.ts';
import { codexModes } from './codex-modes.ts';
import { createCodexParser } from './codex-parser.ts';
import type { ArgvRequest, BackendAdapter, BuiltArgv } from './types.ts';
import type { ClientToolServer } from '../tool-bridge.ts';

/** `extra` flags `exec resume` also accepts (it rejects --add-dir, --oss, --local-provider, -p/--profile). */
const RESUME_OK = new Set(['-i', '--image', '--enable', '--disable', '--strict-config']);

function resumableExtra(extra: string[], warnings: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < extra.length; i++) {
    const token = extra[i] ?? '';
    const name = token.startsWith('--') && token.includes('=') ? token.slice(0, token.indexOf('=')) : token;
    const takesValue = codex.extraAllowList[name] === 1 && !token.includes('=');
    const value = takesValue ? extra[++i] : undefined;
    if (RESUME_OK.has(name)) kept.push(token, ...(value === undefined ? [] : [value]));
    else warnings.push(`codex exec resume does not accept ${name}; it was ignored`);
  }
  return kept;
}

/**
 * A fresh run takes the top-level `-a` and exec's `-s`. `exec resume` refuses both ("unexpected
 * argument"), so a resumed turn would run with the config's sandbox whatever the caller asked for; it
 * does take `-c key=value` overrides, which set the same two settings (checked on codex 0.171: the
 * model request of the resumed turn names the sandbox given here). Values come from codex-modes.ts.
 */
const resumeOverrides = (sandbox: string | undefined, approval: string | undefined): string[] => [
  ...(sandbox ? ['-c', `sandbox_mode="${sandbox}"`] : []),
  ...(approval ? ['-c', `approval_policy="${approval}"`] : []),
];

/**
 * The caller's tools as a streamable-HTTP MCP server in codex's config (`-c` overrides, which `exec`
 * and `exec resume` both take). codex waits 60 s for an MCP tool by default: raised to past the bridge's
 * own wait, which answers first. codex has no switch for its own tools, so builtin_tools false is a warning.
 */
function clientToolOverrides(t: ClientToolServer, warnings: string[]): string[] {
  if (!t.builtinTools) warnings.push('codex has no flag to turn its own tools off; builtin_tools false was ignored (the client\'s tools are offered beside them)');
  const key = `mcp_servers.${t.name}`;
  return [
    '-c', `${key}.url=${JSON.stringify(t.url)}`,
    '-c', `${key}.tool_timeout_sec=${Math.ceil(t.timeoutMs / 1000) + 30}`,
    // The caller asked for these tools to be offered: its own tools need no approval (codex exec, whose
    // approval policy is never, otherwise refuses each call: "MCP tool call requires approval").
    '-c', `${key}.default_tools_approval_mode="approve"`,
  ];
}

function buildArgs(req: ArgvRequest): BuiltArgv {
  // The modes' meaning on codex is codex-modes.ts's; `-a` is top-level (not an `exec` option).
  const { approval, sandbox, warnings } = codexModes(req.approvalMode, req.sandboxMode);
  const args: string[] = [];
  const resuming = req.resumeId !== undefined && req.resumeId !== '';
  if (approval && !resuming) args.push('-a', approval);
  args.push('exec', ...(resuming ? ['resume'] : []), '--json', '--skip-git-repo-check');
  // exec resume takes no -C either: the engine spawns it in the workdir instead.
  if (resuming) args.push(...resumeOverrides(sandbox, approval));
  else args.push('-C', req.workdir);
  if (req.model) args.push('-m', flagValue('codex', 'model', req.model));
  if (sandbox && !resuming) args.push('-s', sandbox);
  if (req.ephemeral) args.push('--ephemeral');
  // exec and exec resume both take these (-c is how resume sets the sandbox too).
  if (req.effort) args.push('-c', `model_reasoning_effort="${CODEX_EFFORT[req.effort]}"`);
  if (req.outputSchema) args.push('--output-schema', req.outputSchemaFile ?? SCHEMA_FILE_PLACEHOLDER);
  if (req.maxTurns !== undefined && req.maxTurns > 0) warnings.push(noFlag('codex', 'max_turns'));
  if (req.maxTokens !== undefined && req.maxTokens > 0) warnings.push(noFlag('codex', 'max_tokens'));
  if (req.allowedTools && req.allowedTools.length > 0) warnings.push(noFlag('codex', 'allowed_tools'));
  if (req.clientTools) args.push(...clientToolOverrides(req.clientTools, warnings));
  args.push(...(resuming ? resumableExtra(req.extra, warnings) : req.extra), ...codexImageFlags(req.attachments), '--');
  if (resuming) args.push(flagValue('codex', 'resume id', req.resumeId ?? ''));
  const prompt = withFileList(withSystemPrompt(req.prompt, req.systemPrompt), req.attachments);
  // `-` (after `--`, so still a positional) makes codex read the prompt from stdin.
  if (req.promptOnStdin) return { args: [...args, '-'], warnings, stdin: prompt };
  args.push(prompt);
  return { args, warnings };
}

export const codex: BackendAdapter = {
  name: 'codex',
  binary: 'codex',
  displayName: 'Codex CLI',
  installHint: 'Install the Codex CLI with `npm i -g @openai/codex`, then run `codex login`.',
  loginHint: 'Run `codex login` (or set OPENAI_API_KEY / CODEX_API_KEY).',
  versionArgs: ['--version'],
  buildArgs,
  createParser: createCodexParser,
  schemaAs: 'file',
  // No -c (it can rewrite any setting, including the approval policy and the model provider), nothing
  // that bypasses approvals or the sandbox, and nothing that changes the output (-o, --output-schema, --color).
  extraAllowList: {
    '--add-dir': 1,
    '-i': 1,
    '--image': 1,
    '--oss': 0,
    '--local-provider': 1,
    '-p': 1,
    '--profile': 1,
    '--enable': 1,
    '--disable': 1,
    '--strict-config': 0,
  },
  warm: codexApp,
  attachments: { images: true, files: true },
  clientTools: true,
};
