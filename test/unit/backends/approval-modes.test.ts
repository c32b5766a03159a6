// The unified approval and sandbox modes, per backend: the flags (cold), the warm protocols' start
// parameters and answers, and the warnings where a backend cannot give a mode's meaning. What these
// flags do on the real CLIs is measured in test/real/approval-matrix.json (npm run approval-matrix).
import { describe, expect, it } from 'vitest';
import type { ApprovalMode, SandboxMode } from '../../../runtime/contract.ts';
import { claude } from '../../../runtime/backends/claude.ts';
import { claudeModes } from '../../../runtime/backends/claude-modes.ts';
import { codex } from '../../../runtime/backends/codex.ts';
import { answerServerRequest, type AnswerContext } from '../../../runtime/backends/codex-app-answers.ts';
import { codexModes } from '../../../runtime/backends/codex-modes.ts';
import { gemini } from '../../../runtime/backends/gemini.ts';
import { allowsEveryTool, permissionOutcome } from '../../../runtime/backends/gemini-acp-events.ts';
import type { ArgvRequest } from '../../../runtime/backends/types.ts';

const APPROVALS: ApprovalMode[] = ['default', 'auto', 'none', 'always'];
const SANDBOXES: SandboxMode[] = ['default', 'read-only', 'workspace', 'full'];
const req = (over: Partial<ArgvRequest> = {}): ArgvRequest => ({ prompt: 'hi', workdir: '/w', approvalMode: 'default', sandboxMode: 'default', ephemeral: false, extra: [], ...over });
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('claude', () => {
  it('none allows up front every tool that would ask (dontAsk alone refused them all), never by a bypass mode', () => {
    const m = claudeModes('none', 'default');
    expect(m).toEqual({ permissionMode: 'dontAsk', allowedTools: ['Bash', 'Edit', 'Write', 'NotebookEdit', 'WebFetch', 'WebSearch'], disallowedTools: [], warnings: [] });
    for (const a of APPROVALS) for (const s of SANDBOXES) expect(claude.buildArgs(req({ approvalMode: a, sandboxMode: s })).args.join(' ')).not.toMatch(/bypass|dangerously/);
  });
  it("none with the caller's allowed_tools allows those only", () => {
    expect(claudeModes('none', 'full', ['Read', 'Bash(git *)'])).toMatchObject({ permissionMode: 'dontAsk', allowedTools: ['Read', 'Bash(git *)'] });
  });
  it('auto is acceptEdits and always is manual, whatever the sandbox (outside edits and commands are asked, so refused)', () => {
    for (const s of ['default', 'workspace', 'full'] as const) {
      expect(claudeModes('auto', s)).toEqual({ permissionMode: 'acceptEdits', allowedTools: [], disallowedTools: [], warnings: [] });
      expect(claudeModes('always', s)).toEqual({ permissionMode: 'manual', allowedTools: [], disallowedTools: [], warnings: [] });
    }
  });
  it('read-only takes the edit tools away in every mode', () => {
    for (const a of APPROVALS) expect(claudeModes(a, 'read-only').disallowedTools).toEqual(['Edit', 'Write', 'NotebookEdit']);
    expect(claudeModes('none', 'read-only').allowedTools).toEqual(['Bash', 'WebFetch', 'WebSearch']);
  });
  it('workspace under none keeps edits inside the workdir: acceptEdits, with Bash and the web tools allowed', () => {
    expect(claudeModes('none', 'workspace')).toMatchObject({ permissionMode: 'acceptEdits', allowedTools: ['Bash', 'WebFetch', 'WebSearch'], disallowedTools: [] });
  });
  it('warns that no sandbox bounds a shell command wherever one may run under read-only or workspace', () => {
    const warn = 'claude has no sandbox: sandbox_mode "workspace" bounds its file-edit tools, not what its shell commands (Bash) do';
    expect(claudeModes('none', 'workspace').warnings).toEqual([warn]);
    expect(claudeModes('none', 'read-only').warnings).toEqual([warn.replace('"workspace"', '"read-only"')]);
    expect(claudeModes('auto', 'workspace', ['Bash(npm test)']).warnings).toEqual([warn]);
    expect(claudeModes('auto', 'workspace').warnings).toEqual([]); // Bash is asked for, so refused
    expect(claudeModes('none', 'full').warnings).toEqual([]); // full = no sandbox, which is what claude has
  });
  it('the argv carries the modes (warm claude starts with the same flags)', () => {
    const { args, warnings } = claude.buildArgs(req({ approvalMode: 'none', sandboxMode: 'read-only' }));
    expect(after(args, '--permission-mode')).toBe('dontAsk');
    expect(args.slice(args.indexOf('--disallowedTools'), args.indexOf('--'))).toEqual(['--disallowedTools', 'Edit', 'Write', 'NotebookEdit']);
    expect(warnings).toHaveLength(1);
  });
});

describe('codex', () => {
  it('always runs in the read-only sandbox whatever was asked, with a warning (0.171 refuses untrusted)', () => {
    for (const s of SANDBOXES) {
      const m = codexModes('always', s);
      expect(m).toMatchObject({ approval: 'on-request', sandbox: 'read-only' });
      expect(m.warnings[0]).toMatch(/^codex cannot ask before each command; approval_mode "always" runs it in its read-only sandbox/);
      expect(m.warnings[0]?.includes('was asked for')).toBe(s === 'workspace' || s === 'full');
    }
  });
  it('auto runs in the workspace sandbox (read-only if asked): codex exec defaults to read-only, and full wrote outside unasked', () => {
    expect(codexModes('auto', 'default')).toMatchObject({ approval: 'on-request', sandbox: 'workspace-write' });
    expect(codexModes('auto', 'read-only')).toMatchObject({ approval: 'on-request', sandbox: 'read-only' });
    expect(codexModes('auto', 'full')).toEqual({
      approval: 'on-request',
      sandbox: 'workspace-write', // danger-full-access wrote outside the workdir without asking (measured)
      warnings: ['codex cannot ask before each command; under approval_mode "auto" its commands run without asking, inside its workspace-write sandbox (sandbox_mode "full" was asked for)'],
    });
  });
  it('none is never, in the sandbox asked for; default leaves codex alone', () => {
    expect(codexModes('none', 'workspace')).toEqual({ approval: 'never', sandbox: 'workspace-write', warnings: [] });
    expect(codexModes('none', 'default')).toEqual({ approval: 'never', sandbox: undefined, warnings: [] });
    expect(codexModes('default', 'default')).toEqual({ approval: undefined, sandbox: undefined, warnings: [] });
  });
  it('cold and resumed argv carry the same modes', () => {
    const fresh = codex.buildArgs(req({ approvalMode: 'always', sandboxMode: 'full' })).args;
    expect(fresh.slice(0, 2)).toEqual(['-a', 'on-request']);
    expect(after(fresh, '-s')).toBe('read-only');
    const resumed = codex.buildArgs(req({ approvalMode: 'always', sandboxMode: 'full', resumeId: 't1' })).args;
    expect(resumed).toContain('sandbox_mode="read-only"');
    expect(resumed).toContain('approval_policy="on-request"');
  });
  it('the warm agent warns as the cold run does', () => {
    expect(codex.warm!.spawn({ ...req({ approvalMode: 'always' }), prompt: undefined } as never).warnings).toEqual(codexModes('always', 'default').warnings);
  });
  it("app-server's approval requests are answered with the same meaning", () => {
    const ctx = (approvalMode: ApprovalMode, sandboxMode: SandboxMode = 'workspace', paths = ['/w/a.txt']): AnswerContext => ({ approvalMode, sandboxMode, workdir: '/w', changedPaths: () => paths });
    const decision = (method: string, c: AnswerContext) => (answerServerRequest(method, { itemId: 'i1', command: 'ls' }, c).result as { decision: unknown }).decision;
    const edit = 'item/fileChange/requestApproval';
    const cmd = 'item/commandExecution/requestApproval';
    expect([decision(edit, ctx('always')), decision(cmd, ctx('always'))]).toEqual(['decline', 'decline']);
    expect([decision(edit, ctx('auto')), decision(cmd, ctx('auto'))]).toEqual(['accept', 'decline']);
    expect(decision(edit, ctx('auto', 'workspace', ['/elsewhere/b.txt']))).toBe('decline');
    expect([decision(edit, ctx('none')), decision(cmd, ctx('none'))]).toEqual(['accept', 'accept']);
    expect(decision(edit, ctx('none', 'read-only'))).toBe('decline');
  });
});

describe('gemini', () => {
  const args = (a: ApprovalMode, s: SandboxMode) => gemini.buildArgs(req({ approvalMode: a, sandboxMode: s }));
  it('read-only is its plan mode, whatever the approval (no container needed); none says the shell goes too', () => {
    for (const a of APPROVALS) {
      const b = args(a, 'read-only');
      expect(after(b.args, '--approval-mode')).toBe('plan');
      expect(b.args).not.toContain('--yolo');
      expect(b.args).not.toContain('--sandbox');
      expect(b.warnings.some((w) => /plan mode/.test(w))).toBe(a === 'none');
    }
  });
  it('workspace is the container sandbox; full under none warns that the file tools stay inside the workdir', () => {
    expect(args('auto', 'workspace').args).toContain('--sandbox');
    expect(args('none', 'full').warnings).toEqual(["gemini's file tools never write outside the workdir (and --include-directories), whatever sandbox_mode says"]);
    expect(args('auto', 'full').warnings).toEqual([]);
  });
  it('ACP permission requests are allowed only under none', () => {
    const options = [{ optionId: 'y', kind: 'allow_once' }, { optionId: 'n', kind: 'reject_once' }];
    expect(APPROVALS.filter(allowsEveryTool)).toEqual(['none']);
    expect(permissionOutcome(options, allowsEveryTool('auto'))).toEqual({ outcome: { outcome: 'selected', optionId: 'n' } });
    expect(permissionOutcome(options, allowsEveryTool('none'))).toEqual({ outcome: { outcome: 'selected', optionId: 'y' } });
  });
});
