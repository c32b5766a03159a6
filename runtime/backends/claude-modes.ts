// What clinvk's approval and sandbox modes become on claude, cold and warm alike (README "Approval and
// sandbox modes"; measured in test/real/approval-matrix.json). claude has permission modes and tool
// rules but no sandbox flag, so the sandbox modes are approximated with tool rules:
//   always → `manual` (2.1.330's name for `default`): every edit and every command not known safe is
//            asked for, which headless means refused;
//   auto   → `acceptEdits`: edits inside the workdir go ahead, the rest is asked for (refused);
//   none   → `dontAsk` with the tools that would ask allowed up front (the caller's allowed_tools
//            instead, when given): nothing is asked, nothing refused. Never a bypass mode: every one
//            (--dangerously-skip-permissions, bypassPermissions) exits 1 when run as root.
// read-only takes the file-edit tools away; workspace keeps `none`'s edits inside the workdir
// (acceptEdits, Bash allowed). Neither bounds what a shell command does: a warning says so.
import type { ApprovalMode, SandboxMode } from '../contract.ts';

/** The tools that ask before they act in claude's permission modes (read-only tools never ask). */
export const ASKING_TOOLS = ['Bash', 'Edit', 'Write', 'NotebookEdit', 'WebFetch', 'WebSearch'];
const EDIT_TOOLS = ['Edit', 'Write', 'NotebookEdit'];

export interface ClaudeModes {
  permissionMode?: string;
  allowedTools: string[];
  disallowedTools: string[];
  warnings: string[];
}

const PERMISSION_MODE: Record<ApprovalMode, string | undefined> = { default: undefined, auto: 'acceptEdits', none: 'dontAsk', always: 'manual' };

export function claudeModes(approvalMode: ApprovalMode, sandboxMode: SandboxMode, allowedTools: string[] = []): ClaudeModes {
  const warnings: string[] = [];
  let permissionMode = PERMISSION_MODE[approvalMode];
  let allowed = allowedTools;
  if (approvalMode === 'none' && allowedTools.length === 0) {
    // workspace: acceptEdits refuses an edit outside the workdir; Bash is allowed on top.
    if (sandboxMode === 'workspace') [permissionMode, allowed] = ['acceptEdits', ASKING_TOOLS.filter((t) => !EDIT_TOOLS.includes(t))];
    else allowed = sandboxMode === 'read-only' ? ASKING_TOOLS.filter((t) => !EDIT_TOOLS.includes(t)) : ASKING_TOOLS;
  }
  const disallowed = sandboxMode === 'read-only' ? EDIT_TOOLS : [];
  const shellRuns = allowed.some((t) => t === 'Bash' || t.startsWith('Bash('));
  if ((sandboxMode === 'read-only' || sandboxMode === 'workspace') && shellRuns) {
    warnings.push(`claude has no sandbox: sandbox_mode "${sandboxMode}" bounds its file-edit tools, not what its shell commands (Bash) do`);
  }
  return { permissionMode, allowedTools: allowed, disallowedTools: disallowed, warnings };
}
