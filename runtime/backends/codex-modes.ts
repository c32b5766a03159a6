// What clinvk's approval and sandbox modes become on codex, for the cold `codex exec` and the warm
// `codex app-server` alike (README "Approval and sandbox modes"; measured in test/real/approval-matrix.json).
//
// codex cannot ask before each command: since 0.1xx its only policies are `on-request` (commands run
// inside the sandbox; the agent asks only to leave it) and `never` (it never asks); `untrusted` is refused
// by 0.171 ("no longer supported"). So codex's sandbox does the work the other backends do with questions:
//   always → the read-only sandbox whatever was asked: no edit anywhere (asked → refused), commands
//            still run, read-only, and a warning says so;
//   auto   → `on-request` in the workspace sandbox (read-only if asked): codex exec's own default is
//            read-only, which would refuse the edits `auto` promises, and under danger-full-access it
//            edits outside the workdir without asking, which `auto` refuses;
//   none   → `never`, in the sandbox asked for (codex's own default when none was).
import type { ApprovalMode, SandboxMode } from '../contract.ts';

export type CodexApproval = 'on-request' | 'never';
export type CodexSandbox = 'read-only' | 'workspace-write' | 'danger-full-access';

const APPROVAL: Record<ApprovalMode, CodexApproval | undefined> = { default: undefined, auto: 'on-request', none: 'never', always: 'on-request' };
const SANDBOX: Record<SandboxMode, CodexSandbox | undefined> = {
  default: undefined,
  'read-only': 'read-only',
  workspace: 'workspace-write',
  full: 'danger-full-access',
};

export interface CodexModes {
  approval?: CodexApproval;
  sandbox?: CodexSandbox;
  warnings: string[];
}

export function codexModes(approvalMode: ApprovalMode, sandboxMode: SandboxMode): CodexModes {
  const warnings: string[] = [];
  let sandbox = SANDBOX[sandboxMode];
  if (approvalMode === 'always') {
    const asked = sandboxMode === 'default' || sandboxMode === 'read-only' ? '' : ` (sandbox_mode "${sandboxMode}" was asked for)`;
    warnings.push(`codex cannot ask before each command; approval_mode "always" runs it in its read-only sandbox${asked}: commands still run there, edits are refused`);
    sandbox = 'read-only';
  } else if (approvalMode === 'auto') {
    // Never wider than the workspace: with danger-full-access codex edits outside the workdir unasked (measured).
    const asked = sandboxMode === 'full' ? ' (sandbox_mode "full" was asked for)' : '';
    if (sandbox !== 'read-only') sandbox = 'workspace-write';
    warnings.push(`codex cannot ask before each command; under approval_mode "auto" its commands run without asking, inside its ${sandbox} sandbox${asked}`);
  }
  return { approval: APPROVAL[approvalMode], sandbox, warnings };
}
