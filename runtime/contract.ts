// The types every door and the engine speak. Pure: imports nothing, runs anywhere (Node, workerd).
// Internal shapes are camelCase; each door renders its own wire format (snake_case JSON, SSE, …).

export const BACKEND_NAMES = ['claude', 'codex', 'gemini'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const APPROVAL_MODES = ['default', 'auto', 'none', 'always'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

export const SANDBOX_MODES = ['default', 'read-only', 'workspace', 'full'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

export const SESSION_STATUSES = ['active', 'completed', 'error', 'paused'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** How hard the agent thinks before answering (claude --effort, codex model_reasoning_effort). */
export const EFFORTS = ['low', 'medium', 'high', 'max'] as const;
export type Effort = (typeof EFFORTS)[number];

/** One request to run a prompt on one backend, whatever door it came through. */
export interface Invocation {
  backend: string;
  prompt: string;
  model?: string;
  /** Absolute directory the backend runs in; defaults to the caller's cwd (CLI) or the server's. */
  workdir?: string;
  /** A clinvk session id (or unique prefix) to resume. */
  sessionId?: string;
  /** No session is recorded, and backends that can are told not to persist one. */
  ephemeral?: boolean;
  approvalMode?: ApprovalMode;
  sandboxMode?: SandboxMode;
  maxTurns?: number;
  maxTokens?: number;
  systemPrompt?: string;
  allowedTools?: string[];
  /** Extra backend flags; each must pass the backend's allow-list. */
  extra?: string[];
  /** Total wall-clock limit for the run. 0 or absent = none (config may set one). */
  timeoutMs?: number;
  /** Kill the run when the backend prints nothing for this long. 0 or absent = none. */
  idleTimeoutMs?: number;
  /** Resolve everything and report the exact command, but start nothing. */
  dryRun?: boolean;
  metadata?: Record<string, string>;
  /** Title to store on a new session (defaults to the start of the prompt). */
  title?: string;
  /** Parent session, e.g. the chain or compare that started this run. */
  parentId?: string;
  /** Images and files handed to the backend with the prompt (runtime/attachments.ts). */
  attachments?: Attachment[];
  /**
   * A JSON Schema the answer must match (runtime/structured/): the answer text is then that JSON alone,
   * checked by clinvk, with one repair turn when it does not match.
   */
  outputSchema?: Record<string, unknown>;
  /** Reasoning effort; absent = the backend's default. */
  effort?: Effort;
  /** The caller's own function tools, served to the agent over a per-run MCP bridge (runtime/tool-bridge.ts). */
  clientTools?: ClientTools;
}

/**
 * One image or file for a run. Exactly one of `data` (base64), `path` (a file; on the server it obeys
 * the workdir rules) or `url` (http(s), fetched by the runtime only when server.fetch_remote_images is on).
 */
export interface Attachment {
  /** File name shown to the agent (sanitized); defaults from the path, the URL or the media type. */
  name?: string;
  /** MIME type; for an image it must match the bytes. Absent: sniffed from the bytes or the name. */
  mediaType?: string;
  data?: string;
  path?: string;
  url?: string;
  /** `image`: the bytes must be an image; `file`: handed over as a file path even if it is an image. */
  kind?: 'image' | 'file';
}

/** One function tool of the caller's (OpenAI `tools`, Anthropic `tools`): the agent calls it, the caller runs it. */
export interface ClientTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (an object schema). */
  inputSchema: Record<string, unknown>;
}

export interface ClientTools {
  tools: ClientTool[];
  /** `required`: the agent is told to call one of them; `{name}`: that one. `auto` (default): its choice. */
  choice?: 'auto' | 'required' | { name: string };
  /** false: only the client's tools are offered (as far as the backend's flags allow). Default true. */
  builtinTools?: boolean;
}

/** What the caller sends back for a client tool call: text, and whether it is an error (→ an MCP error result). */
export interface ClientToolResult {
  content: string;
  isError?: boolean;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
}

export const emptyUsage = (): TokenUsage => ({ inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 });

/** The error codes of every failure clinvk reports. Each door maps them in one place. */
export const ERROR_CODES = [
  'INVALID_INPUT', // a caller's mistake caught before a run starts
  'PROMPT_TOO_LARGE', // the prompt (with its system prompt) is over config max_prompt_bytes
  'UNKNOWN_BACKEND',
  'BACKEND_UNAVAILABLE', // known backend, binary not installed or disabled
  'FLAG_NOT_ALLOWED', // an `extra` flag outside the backend's allow-list
  'WORKDIR_FORBIDDEN', // outside allowed prefixes / inside a blocked one / missing
  'CONFIG_INVALID',
  'SESSION_NOT_FOUND',
  'SESSION_AMBIGUOUS', // an id prefix that matches several sessions
  'SESSION_NOT_RESUMABLE', // the session has no backend session id
  'SESSION_STORE', // the store could not read or write (disk full, read-only, lock timeout)
  'BACKEND_FAILED', // the backend ran and reported failure or exited non-zero
  'BACKEND_RATE_LIMITED', // the backend reported a usage or rate limit
  'BACKEND_AUTH', // the backend is not logged in / bad credentials
  'TIMEOUT', // total timeout reached
  'IDLE_TIMEOUT', // no output for too long
  'CANCELLED', // the caller aborted (Ctrl-C, client disconnect, MCP cancel)
  'SPAWN_FAILED', // the process could not be started
  'OVERLOADED', // too many runs in flight and the queue is full
  'OUTPUT_SCHEMA_MISMATCH', // the answer did not match the requested output schema, even after one repair turn
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface RunError {
  code: ErrorCode;
  message: string;
  /** What the user can do about it (e.g. "run `claude` once and log in"). */
  hint?: string;
  /** For BACKEND_RATE_LIMITED: seconds until the backend says it resets. */
  retryAfterSeconds?: number;
  /**
   * What only the machine's owner should read (resolved paths, the OS's own message). The CLI shows it;
   * the HTTP and MCP doors never send it, servers log it. `message` never needs it to make sense.
   */
  detail?: string;
}

/** Thrown for invalid input caught before a run starts, and for store/config failures. */
export class ClinvkError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;
  /** As RunError.detail: for the local user and the server log, never for a remote caller. */
  readonly detail?: string;
  constructor(code: ErrorCode, message: string, opts: { hint?: string; details?: Record<string, unknown>; detail?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ClinvkError';
    this.code = code;
    if (opts.hint !== undefined) this.hint = opts.hint;
    if (opts.details !== undefined) this.details = opts.details;
    if (opts.detail !== undefined) this.detail = opts.detail;
  }
}

export const isClinvkError = (e: unknown): e is ClinvkError =>
  e instanceof ClinvkError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'ClinvkError');

export interface RunResult {
  backend: string;
  /** clinvk session id; absent for ephemeral and dry runs. */
  sessionId?: string;
  /** The backend's own session id (claude session_id, codex thread_id, gemini session_id). */
  backendSessionId?: string;
  model?: string;
  /** The whole answer text, i.e. every text delta joined. */
  output: string;
  /** 0 on success; the backend's exit code, or the clinvk exit code of `error.code`. */
  exitCode: number;
  durationMs: number;
  /** Usage of this run only (not the session's running total). */
  usage: TokenUsage;
  costUsd?: number;
  warnings: string[];
  error?: RunError;
  /** For dry runs: the command that would run, and how many bytes of prompt it would be given on stdin. */
  command?: { binary: string; args: string[]; cwd: string; stdinBytes?: number };
  /** Last lines of the backend's stderr when it failed (for diagnostics). */
  stderrTail?: string;
}

export type RunEvent =
  | { type: 'init'; backend: string; sessionId?: string; backendSessionId?: string; model?: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id?: string; name: string; input: unknown }
  | { type: 'tool_result'; id?: string; name?: string; output: string; isError?: boolean }
  | { type: 'warning'; message: string }
  /**
   * The agent called one of the caller's own tools (Invocation.clientTools). The run waits until
   * `Runtime.resolveToolCall(id, …)` or `timeoutMs`; then the agent goes on.
   */
  | { type: 'client_tool_call'; id: string; name: string; input: unknown; timeoutMs: number }
  | { type: 'done'; result: RunResult };

export interface BackendInfo {
  name: string;
  available: boolean;
  enabled: boolean;
  /** The command that is (or would be) run. */
  command: string;
  /** Resolved absolute path when found. */
  path?: string;
  version?: string;
  defaultModel?: string;
  /** Why it is not available, in words a user can act on. */
  reason?: string;
  /** Turns run on live agents (a long-lived process kept between turns) here; absent = cold only. */
  warm?: boolean;
}

export interface Session {
  id: string;
  backend: string;
  createdAt: string; // ISO-8601
  lastUsed: string; // ISO-8601
  workingDir: string;
  backendSessionId?: string;
  model?: string;
  initialPrompt: string;
  status: SessionStatus;
  turnCount: number;
  tokenUsage: TokenUsage;
  costUsd?: number;
  tags: string[];
  title: string;
  parentId?: string;
  errorMessage?: string;
  metadata: Record<string, string>;
}

export type NewSession = Pick<Session, 'backend' | 'workingDir' | 'initialPrompt'> &
  Partial<Pick<Session, 'model' | 'tags' | 'title' | 'parentId' | 'metadata' | 'backendSessionId' | 'status'>>;

export interface SessionFilter {
  backend?: string;
  status?: SessionStatus;
  workingDir?: string;
  limit?: number;
  offset?: number;
}

/** The port to the session store. Only runtime/node/sessions.ts writes session files. */
export interface SessionStore {
  create(init: NewSession): Promise<Session>;
  /** An exact id or a unique prefix. Throws SESSION_NOT_FOUND / SESSION_AMBIGUOUS / INVALID_INPUT. */
  get(idOrPrefix: string): Promise<Session>;
  /** Read-modify-write under the store's lock, so concurrent updates are never lost. */
  update(id: string, mutate: (s: Session) => Session): Promise<Session>;
  /** Newest `lastUsed` first. */
  list(filter?: SessionFilter): Promise<{ sessions: Session[]; total: number }>;
  delete(idOrPrefix: string): Promise<void>;
  /** Deletes sessions not used for `olderThanDays` days, never an active (in-use) one. */
  clean(olderThanDays: number): Promise<{ deleted: string[] }>;
  count(): Promise<number>;
}

/** Spawning is a port so the engine stays pure; runtime/node/spawner.ts is the only implementation. */
export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  /** Full environment for the child (the caller decides what is inherited). */
  env: Record<string, string | undefined>;
  /** Text written to stdin, then closed. Absent: stdin is closed at once (codex waits on an open pipe). */
  stdin?: string;
  timeoutMs?: number;
  idleTimeoutMs?: number;
}

export type SpawnEvent =
  | { type: 'start'; pid: number }
  | { type: 'stdout'; line: string }
  | { type: 'stderr'; chunk: string }
  | {
      type: 'exit';
      code: number | null;
      signal: string | null;
      /** Why we ended it, if we did. */
      reason?: 'timeout' | 'idle' | 'aborted';
      /** Set when the process could not be started (e.g. ENOENT). */
      spawnError?: string;
    };

export interface Spawner {
  /** Yields events as they happen and always ends with exactly one `exit`. Aborting kills the whole process tree. */
  spawn(spec: SpawnSpec, signal?: AbortSignal): AsyncIterable<SpawnEvent>;
}

export interface Logger {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Metrics behind the runtime so handlers stay pure (the Node side may use prom-client). */
export interface Metrics {
  inc(name: string, labels?: Record<string, string>, value?: number): void;
  observe(name: string, value: number, labels?: Record<string, string>): void;
  gauge(name: string, value: number, labels?: Record<string, string>): void;
  /** Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** Token bucket per key; `take` answers whether a request may proceed. */
export interface RateLimiter {
  take(key: string): { ok: boolean; limit: number; remaining: number; resetSeconds: number; retryAfterSeconds: number };
}

/** The pool of live agents, as /health shows it (runtime/node/warm-pool.ts). Memory in bytes. */
export interface WarmStatus {
  enabled: boolean;
  maxAgents: number;
  agents: { pid: number; backend: string; state: string; spare: boolean; session?: string; turns: number; ageSecs: number; rssBytes?: number }[];
  spares: number;
  evictions: Partial<Record<'idle' | 'lru' | 'age' | 'size' | 'mismatch' | 'died' | 'stale', number>>;
  rssBytes: number;
}

/** One line of `clinvk doctor` (and of GET /api/v1/doctor, and of clinvk_backends). */
export interface DoctorCheck {
  /** Stable id, e.g. `node`, `backend.claude`, `auth.codex`, `sandbox.codex`, `config`, `sessions`, `live.gemini`. */
  id: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  /** One line saying what was found. */
  message: string;
  /** One line saying what to do; set on every `warn` and `fail`. */
  fix?: string;
  backend?: string;
  /** Facts behind the message (path, version, tested range, auth method…), for scripts. */
  details?: Record<string, unknown>;
}

export interface DoctorReport {
  /** No check failed (warnings allowed). */
  ok: boolean;
  version: string;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  /** One tiny real prompt per backend found (costs tokens). */
  live?: boolean;
  signal?: AbortSignal;
}

/** One runner of the edge (RUNNER_URL), as /health shows it. */
export interface RunnerStatus {
  name: string;
  state: 'up' | 'down';
  /** Seconds since the state was last set; absent for a runner nothing has checked yet. */
  checkedSecsAgo?: number;
  /** Why it is down, naming no address. */
  reason?: string;
}

/** The port every door uses. Tests build their own with fakes. */
export interface Runtime {
  run(inv: Invocation, signal?: AbortSignal): AsyncIterable<RunEvent>;
  backends(): Promise<BackendInfo[]>;
  /** Live agents kept between turns; absent where there is no pool (the CLI, a Worker). */
  warm?(): Promise<WarmStatus>;
  /** The runners a Worker forwards to and whether each is up; absent where runs are local. */
  runners?(): Promise<RunnerStatus[]>;
  /** `clinvk doctor`'s checks (runtime/node/doctor/); absent where they cannot run (a Worker). */
  doctor?(opts?: DoctorOptions): Promise<DoctorReport>;
  /**
   * Answers a waiting `client_tool_call`. false = no such call is waiting (unknown, answered, timed out).
   * Absent where runs cannot take client tools (the CLI, a Worker).
   */
  resolveToolCall?(id: string, result: ClientToolResult): boolean;
  sessions: SessionStore;
  log: Logger;
  metrics: Metrics;
  version: string;
}
