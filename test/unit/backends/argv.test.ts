// Every backend × every unified option → the exact argv (flags checked against cli-samples/*help*.txt).
import { describe, expect, it } from 'vitest';
import { claude } from '../../../runtime/backends/claude.ts';
import { codex } from '../../../runtime/backends/codex.ts';
import { gemini } from '../../../runtime/backends/gemini.ts';
import type { ArgvRequest } from '../../../runtime/backends/types.ts';

const base: ArgvRequest = { prompt: 'hi', workdir: '/w', approvalMode: 'default', sandboxMode: 'default', extra: [], ephemeral: false };
const req = (over: Partial<ArgvRequest>): ArgvRequest => ({ ...base, ...over });

const CLAUDE_HEAD = ['-p', '--output-format', 'stream-json', '--verbose', '--include-partial-messages'];
const CODEX_HEAD = ['exec', '--json', '--skip-git-repo-check', '-C', '/w'];
const GEMINI_HEAD = ['--output-format', 'stream-json', '--skip-trust'];

describe('claude argv', () => {
  const build = (over: Partial<ArgvRequest>) => claude.buildArgs(req(over));
  it('plain run: options, then -- and the prompt', () => {
    expect(build({})).toEqual({ args: [...CLAUDE_HEAD, '--', 'hi'], warnings: [] });
  });
  it('maps each unified option', () => {
    expect(build({ model: 'sonnet' }).args).toEqual([...CLAUDE_HEAD, '--model', 'sonnet', '--', 'hi']);
    expect(build({ approvalMode: 'auto' }).args).toEqual([...CLAUDE_HEAD, '--permission-mode', 'acceptEdits', '--', 'hi']);
    expect(build({ approvalMode: 'none' }).args).toEqual([
      ...CLAUDE_HEAD, '--permission-mode', 'dontAsk', '--allowedTools', 'Bash', 'Edit', 'Write', 'NotebookEdit', 'WebFetch', 'WebSearch', '--', 'hi',
    ]);
    expect(build({ approvalMode: 'none', allowedTools: ['Read'] }).args).toEqual([...CLAUDE_HEAD, '--permission-mode', 'dontAsk', '--allowedTools', 'Read', '--', 'hi']);
    expect(build({ approvalMode: 'always' }).args).toEqual([...CLAUDE_HEAD, '--permission-mode', 'manual', '--', 'hi']);
    expect(build({ systemPrompt: '- be terse' }).args).toEqual([...CLAUDE_HEAD, '--system-prompt', '- be terse', '--', 'hi']);
    expect(build({ maxTurns: 3 }).args).toEqual([...CLAUDE_HEAD, '--max-turns', '3', '--', 'hi']);
    expect(build({ maxTurns: 0 }).args).toEqual([...CLAUDE_HEAD, '--', 'hi']);
    expect(build({ allowedTools: ['Read', 'Bash(git *)'] }).args).toEqual([...CLAUDE_HEAD, '--allowedTools', 'Read', 'Bash(git *)', '--', 'hi']);
    expect(build({ ephemeral: true }).args).toEqual([...CLAUDE_HEAD, '--no-session-persistence', '--', 'hi']);
    expect(build({ extra: ['--add-dir', '/data', '--effort=high'] }).args).toEqual([...CLAUDE_HEAD, '--add-dir', '/data', '--effort=high', '--', 'hi']);
  });
  it('never uses a bypass mode', () => {
    for (const approvalMode of ['default', 'auto', 'none', 'always'] as const) {
      const { args } = build({ approvalMode });
      expect(args.join(' ')).not.toMatch(/bypassPermissions|dangerously/);
    }
  });
  it('max_tokens goes through the environment, sandbox_mode read-only takes the edit tools away', () => {
    expect(build({ maxTokens: 2000 })).toEqual({ args: [...CLAUDE_HEAD, '--', 'hi'], warnings: [], env: { CLAUDE_CODE_MAX_OUTPUT_TOKENS: '2000' } });
    expect(build({ sandboxMode: 'read-only' })).toEqual({ args: [...CLAUDE_HEAD, '--disallowedTools', 'Edit', 'Write', 'NotebookEdit', '--', 'hi'], warnings: [] });
  });
  it('everything at once, resumed', () => {
    expect(
      build({ model: 'opus', approvalMode: 'auto', systemPrompt: 'S', maxTurns: 2, allowedTools: ['Read'], resumeId: 'abc-123', ephemeral: true, extra: ['--safe-mode'] }).args,
    ).toEqual([
      ...CLAUDE_HEAD, '--model', 'opus', '--permission-mode', 'acceptEdits', '--system-prompt', 'S', '--max-turns', '2',
      '--allowedTools', 'Read', '--resume', 'abc-123', '--no-session-persistence', '--safe-mode', '--', 'hi',
    ]);
  });
  it('a prompt that looks like a flag stays the last element, after --', () => {
    for (const prompt of ['--help me', '-p', '--version']) {
      const { args } = build({ prompt, allowedTools: ['Read'] });
      expect(args.slice(-2)).toEqual(['--', prompt]);
    }
  });
  it('refuses values that would be read as flags', () => {
    expect(() => build({ model: '--dangerously-skip-permissions' })).toThrow(/must not start with "-"/);
    expect(() => build({ resumeId: '-x' })).toThrow(/resume id/);
  });
});

describe('codex argv', () => {
  const build = (over: Partial<ArgvRequest>) => codex.buildArgs(req(over));
  it('plain run: exec --json --skip-git-repo-check -C dir -- prompt', () => {
    expect(build({})).toEqual({ args: [...CODEX_HEAD, '--', 'hi'], warnings: [] });
  });
  it('approval is the top-level -a, before exec', () => {
    expect(build({ approvalMode: 'auto' })).toEqual({
      args: ['-a', 'on-request', ...CODEX_HEAD, '-s', 'workspace-write', '--', 'hi'],
      warnings: ['codex cannot ask before each command; under approval_mode "auto" its commands run without asking, inside its workspace-write sandbox'],
    });
    expect(build({ approvalMode: 'none' })).toEqual({ args: ['-a', 'never', ...CODEX_HEAD, '--', 'hi'], warnings: [] });
    expect(build({ approvalMode: 'always', sandboxMode: 'full' })).toEqual({
      args: ['-a', 'on-request', ...CODEX_HEAD, '-s', 'read-only', '--', 'hi'],
      warnings: ['codex cannot ask before each command; approval_mode "always" runs it in its read-only sandbox (sandbox_mode "full" was asked for): commands still run there, edits are refused'],
    });
  });
  it('maps model, sandbox, ephemeral, extra', () => {
    expect(build({ model: 'gpt-6.1-sol' }).args).toEqual([...CODEX_HEAD, '-m', 'gpt-6.1-sol', '--', 'hi']);
    expect(build({ sandboxMode: 'read-only' }).args).toEqual([...CODEX_HEAD, '-s', 'read-only', '--', 'hi']);
    expect(build({ sandboxMode: 'workspace' }).args).toEqual([...CODEX_HEAD, '-s', 'workspace-write', '--', 'hi']);
    expect(build({ sandboxMode: 'full' }).args).toEqual([...CODEX_HEAD, '-s', 'danger-full-access', '--', 'hi']);
    expect(build({ ephemeral: true }).args).toEqual([...CODEX_HEAD, '--ephemeral', '--', 'hi']);
    expect(build({ extra: ['--add-dir', '/data'] }).args).toEqual([...CODEX_HEAD, '--add-dir', '/data', '--', 'hi']);
  });
  it('system prompt goes before the prompt; options without a flag are warnings', () => {
    expect(build({ systemPrompt: 'Be terse.', maxTurns: 3, maxTokens: 100, allowedTools: ['x'] })).toEqual({
      args: [...CODEX_HEAD, '--', 'Be terse.\n\nhi'],
      warnings: ['codex has no flag for max_turns; it was ignored', 'codex has no flag for max_tokens; it was ignored', 'codex has no flag for allowed_tools; it was ignored'],
    });
  });
  it('resume: exec resume without -C, -s and -a; sandbox and approval as -c overrides; id and prompt after --', () => {
    expect(build({ resumeId: '01a20b38-fb3f', approvalMode: 'none', model: 'm', sandboxMode: 'workspace', ephemeral: true, extra: ['--enable', 'x', '--add-dir', '/d'] })).toEqual({
      args: [
        'exec', 'resume', '--json', '--skip-git-repo-check', '-c', 'sandbox_mode="workspace-write"', '-c', 'approval_policy="never"',
        '-m', 'm', '--ephemeral', '--enable', 'x', '--', '01a20b38-fb3f', 'hi',
      ],
      warnings: ['codex exec resume does not accept --add-dir; it was ignored'],
    });
  });
  it('a resumed run keeps each sandbox and approval mode', () => {
    const head = ['exec', 'resume', '--json', '--skip-git-repo-check'];
    expect(build({ resumeId: 't1', sandboxMode: 'read-only' })).toEqual({ args: [...head, '-c', 'sandbox_mode="read-only"', '--', 't1', 'hi'], warnings: [] });
    expect(build({ resumeId: 't1', sandboxMode: 'full' }).args).toEqual([...head, '-c', 'sandbox_mode="danger-full-access"', '--', 't1', 'hi']);
    expect(build({ resumeId: 't1', approvalMode: 'auto' }).args).toEqual([...head, '-c', 'sandbox_mode="workspace-write"', '-c', 'approval_policy="on-request"', '--', 't1', 'hi']);
    expect(build({ resumeId: 't1' }).args).toEqual([...head, '--', 't1', 'hi']);
  });
  it('a prompt that looks like a flag stays last, after --', () => {
    expect(build({ prompt: '--help me' }).args.slice(-2)).toEqual(['--', '--help me']);
    expect(build({ prompt: '-x', resumeId: 'id1' }).args.slice(-3)).toEqual(['--', 'id1', '-x']);
    expect(() => build({ model: '-s' })).toThrow(/must not start with "-"/);
  });
});

describe('a prompt on stdin (promptOnStdin)', () => {
  it('claude: nothing after --, the prompt on stdin', () => {
    expect(claude.buildArgs(req({ promptOnStdin: true, systemPrompt: 'S' }))).toEqual({ args: [...CLAUDE_HEAD, '--system-prompt', 'S', '--'], warnings: [], stdin: 'hi' });
  });
  it('codex: `-` as the prompt, the system prompt in front of it on stdin, also when resuming', () => {
    expect(codex.buildArgs(req({ promptOnStdin: true, systemPrompt: 'S' }))).toEqual({ args: [...CODEX_HEAD, '--', '-'], warnings: [], stdin: 'S\n\nhi' });
    expect(codex.buildArgs(req({ promptOnStdin: true, resumeId: 't1' })).args.slice(-3)).toEqual(['--', 't1', '-']);
  });
  it('gemini: no --prompt, the prompt on stdin', () => {
    expect(gemini.buildArgs(req({ promptOnStdin: true, systemPrompt: 'S', resumeId: 'g1' }))).toEqual({ args: [...GEMINI_HEAD, '--resume', 'g1'], warnings: [], stdin: 'S\n\nhi' });
  });
});

describe('gemini argv', () => {
  const build = (over: Partial<ArgvRequest>) => gemini.buildArgs(req(over));
  it('plain run: the prompt is one --prompt= element, never --', () => {
    expect(build({})).toEqual({ args: [...GEMINI_HEAD, '--prompt=hi'], warnings: [] });
    expect(build({}).args).not.toContain('--');
  });
  it('skip_trust can be turned off', () => {
    expect(build({ options: { skip_trust: false } }).args).toEqual(['--output-format', 'stream-json', '--prompt=hi']);
  });
  it('maps each unified option', () => {
    expect(build({ model: 'flash' }).args).toEqual([...GEMINI_HEAD, '-m', 'flash', '--prompt=hi']);
    expect(build({ approvalMode: 'auto' }).args).toEqual([...GEMINI_HEAD, '--approval-mode', 'auto_edit', '--prompt=hi']);
    expect(build({ approvalMode: 'none' }).args).toEqual([...GEMINI_HEAD, '--yolo', '--prompt=hi']);
    expect(build({ approvalMode: 'always' }).args).toEqual([...GEMINI_HEAD, '--approval-mode', 'default', '--prompt=hi']);
    expect(build({ sandboxMode: 'workspace' })).toEqual({ args: [...GEMINI_HEAD, '--sandbox', '--prompt=hi'], warnings: [] });
    expect(build({ sandboxMode: 'full' })).toEqual({ args: [...GEMINI_HEAD, '--prompt=hi'], warnings: [] });
    expect(build({ sandboxMode: 'read-only' })).toEqual({ args: [...GEMINI_HEAD, '--approval-mode', 'plan', '--prompt=hi'], warnings: [] });
    expect(build({ resumeId: 'f2fd9539' }).args).toEqual([...GEMINI_HEAD, '--resume', 'f2fd9539', '--prompt=hi']);
    expect(build({ extra: ['--include-directories', '/d'] }).args).toEqual([...GEMINI_HEAD, '--include-directories', '/d', '--prompt=hi']);
    expect(build({ systemPrompt: 'S' }).args).toEqual([...GEMINI_HEAD, '--prompt=S\n\nhi']);
  });
  it('options without a flag are warnings', () => {
    expect(build({ maxTurns: 2, maxTokens: 5, allowedTools: ['a'], ephemeral: true })).toEqual({
      args: [...GEMINI_HEAD, '--prompt=hi'],
      warnings: [
        'gemini has no flag for max_turns; it was ignored',
        'gemini has no flag for max_tokens; it was ignored',
        'gemini has no flag for allowed_tools; it was ignored',
        'gemini always saves its session; ephemeral only keeps clinvk from recording it',
      ],
    });
  });
  it('a prompt that looks like a flag stays inside --prompt=', () => {
    expect(build({ prompt: '--help me' }).args.at(-1)).toBe('--prompt=--help me');
    expect(build({ prompt: '-p -x' }).args.at(-1)).toBe('--prompt=-p -x');
    expect(() => build({ model: '--yolo' })).toThrow(/must not start with "-"/);
  });
});
