// Answers to the requests `codex app-server` sends us mid-turn (approvals, questions, elicitations).
// Every one needs a reply of its own shape or the turn waits forever (openai/codex#21982). Nobody sits
// at a headless run, so the run's approval_mode answers, with what SPEC.md says each mode means:
//   always, default: every action that asks is refused;
//   auto: file edits inside the workdir go ahead (unless the sandbox is read-only), the rest is refused;
//   none: commands and edits go ahead (codex, started with `never`, should not even ask); extra sandbox
//         permissions are never granted: the sandbox is the only bound.
import type { ApprovalMode, SandboxMode } from '../contract.ts';
import type {
  ApplyPatchApprovalResponse,
  CommandExecutionRequestApprovalResponse,
  DynamicToolCallResponse,
  FileChangeRequestApprovalResponse,
  McpServerElicitationRequestResponse,
  PermissionsRequestApprovalResponse,
  ServerRequestMethod,
  ToolRequestUserInputResponse,
} from './codex-app-types.ts';
import { isObj, str, type Json } from './jsonl.ts';

export interface AnswerContext {
  approvalMode: ApprovalMode;
  sandboxMode: SandboxMode;
  workdir: string;
  /** Paths of the file changes codex announced (item/started), by item id: the request itself names none. */
  changedPaths(itemId: string): string[] | undefined;
}

/** The reply's `result`, or an `error` for a request we cannot serve, and a warning for the run when one is due. */
export interface Answer {
  result?: unknown;
  error?: { code: number; message: string };
  warning?: string;
}

const inside = (workdir: string, path: string): boolean => {
  const root = workdir.endsWith('/') ? workdir : `${workdir}/`;
  return (path === workdir || path.startsWith(root)) && !path.split('/').includes('..');
};

function allowEdit(ctx: AnswerContext, itemId: string): boolean {
  if (ctx.sandboxMode === 'read-only') return false;
  if (ctx.approvalMode === 'none') return true;
  if (ctx.approvalMode !== 'auto') return false;
  const paths = ctx.changedPaths(itemId);
  return paths !== undefined && paths.length > 0 && paths.every((p) => inside(ctx.workdir, p));
}

const refused = (what: string, ctx: AnswerContext) => `codex asked to ${what}; refused (approval_mode ${ctx.approvalMode}, nobody to ask)`;

type Handler = (params: Json, ctx: AnswerContext) => Answer;

const command: Handler = (p, ctx) => {
  const ok = ctx.approvalMode === 'none';
  const result: CommandExecutionRequestApprovalResponse = { decision: ok ? 'accept' : 'decline' };
  return ok ? { result } : { result, warning: refused(`run \`${str(p.command) ?? 'a command'}\``, ctx) };
};

const fileChange: Handler = (p, ctx) => {
  const itemId = str(p.itemId) ?? '';
  const ok = allowEdit(ctx, itemId);
  const result: FileChangeRequestApprovalResponse = { decision: ok ? 'accept' : 'decline' };
  const paths = ctx.changedPaths(itemId)?.join(', ') || 'files';
  return ok ? { result } : { result, warning: refused(`change ${paths}`, ctx) };
};

const HANDLERS: Record<ServerRequestMethod, Handler> = {
  'item/commandExecution/requestApproval': command,
  'item/fileChange/requestApproval': fileChange,
  'item/permissions/requestApproval': (p, ctx) => {
    const result: PermissionsRequestApprovalResponse = { permissions: {}, scope: 'turn' };
    return { result, warning: refused(`widen its sandbox${str(p.reason) ? ` (${str(p.reason)})` : ''}`, ctx) };
  },
  'item/tool/requestUserInput': () => {
    const result: ToolRequestUserInputResponse = { answers: {} };
    return { result, warning: 'codex asked the user a question; a headless run has no answers' };
  },
  'mcpServer/elicitation/request': (p) => {
    const result: McpServerElicitationRequestResponse = { action: 'decline', content: null, _meta: null };
    return { result, warning: `an MCP server (${str(p.serverName) ?? 'unknown'}) asked the user for input; declined` };
  },
  'item/tool/call': (p) => {
    const result: DynamicToolCallResponse = { contentItems: [], success: false };
    return { result, warning: `codex called a client tool clinvk does not provide (${str(p.tool) ?? 'unknown'})` };
  },
  'account/chatgptAuthTokens/refresh': () => ({ error: { code: -32601, message: 'clinvk does not manage ChatGPT tokens' } }),
  'attestation/generate': () => ({ error: { code: -32601, message: 'clinvk does not provide attestations' } }),
  // Legacy (v1) approvals, sent only to clients of the old API; answered in kind all the same.
  applyPatchApproval: (_p, ctx) => {
    const ok = ctx.approvalMode === 'none' && ctx.sandboxMode !== 'read-only';
    const result: ApplyPatchApprovalResponse = { decision: ok ? 'approved' : { denied: { rejection: `refused by approval_mode ${ctx.approvalMode}` } } };
    return ok ? { result } : { result, warning: refused('apply a patch', ctx) };
  },
  execCommandApproval: (_p, ctx) => {
    const ok = ctx.approvalMode === 'none';
    const result: ApplyPatchApprovalResponse = { decision: ok ? 'approved' : { denied: { rejection: `refused by approval_mode ${ctx.approvalMode}` } } };
    return ok ? { result } : { result, warning: refused('run a command', ctx) };
  },
};

/** The answer to one server→client request. An unknown method gets a JSON-RPC error (never silence) and a warning. */
export function answerServerRequest(method: string, params: unknown, ctx: AnswerContext): Answer {
  const handler = Object.hasOwn(HANDLERS, method) ? HANDLERS[method as ServerRequestMethod] : undefined;
  if (!handler) {
    return { error: { code: -32601, message: `clinvk cannot answer ${method}` }, warning: `codex sent a request clinvk does not know (${method}); answered with an error` };
  }
  return handler(isObj(params) ? params : {}, ctx);
}
