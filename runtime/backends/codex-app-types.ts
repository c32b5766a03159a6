// The part of the `codex app-server` protocol (codex 0.171.0) that the codec in codex-app.ts speaks.
// Taken from `codex app-server generate-ts` (798 files), keeping only the types and the fields we use.
// test/real/codex-app-types.test.ts regenerates them from the installed codex and type-checks these
// against them: what we send must still be assignable to codex's params, what codex sends must still
// be assignable to what we read. Regenerate and re-check these after a codex upgrade.
//
// Wire format: one JSON object per line, JSON-RPC 2.0 without the "jsonrpc" field.

export type RequestId = string | number;

// ---- sent by us ----------------------------------------------------------------------------------

export type ClientInfo = { name: string; title: string | null; version: string };
export type InitializeParams = { clientInfo: ClientInfo; capabilities: null };

/** codex's approval policies, as its generated types list them; 0.171 refuses `untrusted` ("no longer supported"), so clinvk never sends it (codex-modes.ts). */
export type AskForApproval = 'untrusted' | 'on-request' | 'never';
export type ApprovalsReviewer = 'user';
export type SandboxMode = 'read-only' | 'workspace-write' | 'danger-full-access';

/** In-memory config overrides for the thread; we only ever say the workdir is trusted (see codex-app.ts). */
export type ThreadConfig = { projects: Record<string, { trust_level: 'trusted' }> };

export type ThreadStartParams = {
  cwd: string;
  config?: ThreadConfig | null;
  model?: string | null;
  approvalPolicy?: AskForApproval | null;
  approvalsReviewer?: ApprovalsReviewer | null;
  sandbox?: SandboxMode | null;
  developerInstructions?: string | null;
  ephemeral?: boolean | null;
};

export type ThreadResumeParams = {
  threadId: string;
  cwd: string;
  config?: ThreadConfig | null;
  model?: string | null;
  approvalPolicy?: AskForApproval | null;
  approvalsReviewer?: ApprovalsReviewer | null;
  sandbox?: SandboxMode | null;
  developerInstructions?: string | null;
  /** Without it, 0.171 answers with the whole history and a deprecation notice. */
  excludeTurns?: boolean;
};

export type TextElement = never;
export type UserInput = { type: 'text'; text: string; text_elements: Array<TextElement> } | { type: 'localImage'; path: string };

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;
export type TurnStartParams = { threadId: string; input: Array<UserInput>; effort?: string | null; outputSchema?: JsonValue | null };
export type TurnInterruptParams = { threadId: string; turnId: string };

export type ClientRequest =
  | { method: 'initialize'; id: RequestId; params: InitializeParams }
  | { method: 'thread/start'; id: RequestId; params: ThreadStartParams }
  | { method: 'thread/resume'; id: RequestId; params: ThreadResumeParams }
  | { method: 'turn/start'; id: RequestId; params: TurnStartParams }
  | { method: 'turn/interrupt'; id: RequestId; params: TurnInterruptParams };

export type ClientNotification = { method: 'initialized' };

// Our answers to the server's requests (one shape per request; a missing answer hangs the turn).
export type CommandExecutionApprovalDecision = 'accept' | 'decline';
export type CommandExecutionRequestApprovalResponse = { decision: CommandExecutionApprovalDecision };
export type FileChangeApprovalDecision = 'accept' | 'decline';
export type FileChangeRequestApprovalResponse = { decision: FileChangeApprovalDecision };
export type PermissionsRequestApprovalResponse = { permissions: Record<string, never>; scope: 'turn' };
export type ToolRequestUserInputResponse = { answers: Record<string, never> };
export type McpServerElicitationRequestResponse = { action: 'decline'; content: null; _meta: null };
export type DynamicToolCallResponse = { contentItems: Array<never>; success: false };
/** The legacy (v1) approval requests. */
export type ReviewDecision = 'approved' | { denied: { rejection: string } };
export type ApplyPatchApprovalResponse = { decision: ReviewDecision };
export type ExecCommandApprovalResponse = { decision: ReviewDecision };

// ---- sent by codex -------------------------------------------------------------------------------

export type ThreadStartResponse = { thread: { id: string } };
export type ThreadResumeResponse = { thread: { id: string } };
export type TurnStatus = 'completed' | 'interrupted' | 'failed' | 'inProgress';
export type TurnError = { message: string; codexErrorInfo: unknown; additionalDetails: string | null };
export type Turn = { id: string; status: TurnStatus; error: TurnError | null };
export type TurnStartResponse = { turn: Turn };

export type PatchChangeKind = { type: 'add' } | { type: 'delete' } | { type: 'update'; move_path: string | null };
export type FileUpdateChange = { path: string; kind: PatchChangeKind; diff: string };

/** The thread items we turn into events; the other kinds (userMessage, reasoning, plan, …) are progress only. */
export type ThreadItem =
  | { type: 'agentMessage'; id: string; text: string }
  | {
      type: 'commandExecution';
      id: string;
      command: string;
      status: 'inProgress' | 'completed' | 'failed' | 'declined';
      aggregatedOutput: string | null;
      exitCode: number | null;
    }
  | { type: 'fileChange'; id: string; changes: Array<FileUpdateChange>; status: 'inProgress' | 'completed' | 'failed' | 'declined' }
  | {
      type: 'mcpToolCall';
      id: string;
      server: string;
      tool: string;
      status: 'inProgress' | 'completed' | 'failed';
      arguments: unknown;
      result: { content: Array<unknown> } | null;
      error: { message: string } | null;
    }
  | { type: 'webSearch'; id: string; query: string };

/** Any other kind of item (userMessage, reasoning, plan, …): read for its `type` only. */
export type OtherThreadItem = { type: string };
export type ItemStartedNotification = { item: ThreadItem | OtherThreadItem; threadId: string; turnId: string };
export type ItemCompletedNotification = { item: ThreadItem | OtherThreadItem; threadId: string; turnId: string };
export type AgentMessageDeltaNotification = { threadId: string; turnId: string; itemId: string; delta: string };
export type TokenUsageBreakdown = {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
};
export type ThreadTokenUsage = { total: TokenUsageBreakdown; last: TokenUsageBreakdown };
export type ThreadTokenUsageUpdatedNotification = { threadId: string; turnId: string; tokenUsage: ThreadTokenUsage };
export type TurnStartedNotification = { threadId: string; turn: Turn };
export type TurnCompletedNotification = { threadId: string; turn: Turn };
export type ErrorNotification = { error: TurnError; willRetry: boolean; threadId: string; turnId: string };
export type WarningNotification = { threadId: string | null; message: string };

/** The notifications the codec reads. */
export type ServerNotification =
  | { method: 'turn/started'; params: TurnStartedNotification }
  | { method: 'turn/completed'; params: TurnCompletedNotification }
  | { method: 'item/started'; params: ItemStartedNotification }
  | { method: 'item/completed'; params: ItemCompletedNotification }
  | { method: 'item/agentMessage/delta'; params: AgentMessageDeltaNotification }
  | { method: 'thread/tokenUsage/updated'; params: ThreadTokenUsageUpdatedNotification }
  | { method: 'error'; params: ErrorNotification }
  | { method: 'warning'; params: WarningNotification };

/** Notifications 0.171 sends that carry nothing for a run (status, rate limits, deltas of items we read whole…). */
export const IGNORED_NOTIFICATIONS = [
  'thread/started',
  'thread/status/changed',
  'thread/goal/cleared',
  'thread/name/updated',
  'thread/compacted',
  'turn/diff/updated',
  'turn/plan/updated',
  'item/plan/delta',
  'item/reasoning/summaryTextDelta',
  'item/reasoning/summaryPartAdded',
  'item/reasoning/textDelta',
  'item/commandExecution/outputDelta',
  'item/fileChange/outputDelta',
  'item/mcpToolCall/progress',
  'serverRequest/resolved',
  'account/rateLimits/updated',
  'account/updated',
  'remoteControl/status/changed',
  'mcpServer/startupStatus/updated',
  'skills/changed',
  'configWarning',
  'deprecationNotice',
] as const;
export type IgnoredNotificationMethod = (typeof IGNORED_NOTIFICATIONS)[number];

/** Every request the server can send (0.171); each gets an answer of its own shape. */
export type ServerRequestMethod =
  | 'item/commandExecution/requestApproval'
  | 'item/fileChange/requestApproval'
  | 'item/tool/requestUserInput'
  | 'mcpServer/elicitation/request'
  | 'item/permissions/requestApproval'
  | 'item/tool/call'
  | 'account/chatgptAuthTokens/refresh'
  | 'attestation/generate'
  | 'applyPatchApproval'
  | 'execCommandApproval';
