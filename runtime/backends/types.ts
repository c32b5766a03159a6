// What one backend file provides: a table of flags (argv builder) and a parser of its output.
// Nothing about HTTP, sessions or processes lives here (ARCHITECTURE.md rule 3).
import type { ApprovalMode, Effort, SandboxMode, TokenUsage } from '../contract.ts';
import type { WarmProtocol } from './warm.ts';
import type { ClientToolServer } from '../tool-bridge.ts';

/** Everything a builder needs, already resolved by the engine (config defaults applied, aliases mapped). */
export interface ArgvRequest {
  prompt: string;
  /** Absolute, already validated. */
  workdir: string;
  model?: string;
  approvalMode: ApprovalMode;
  sandboxMode: SandboxMode;
  maxTurns?: number;
  maxTokens?: number;
  systemPrompt?: string;
  allowedTools?: string[];
  /** Already checked against the allow-list. */
  extra: string[];
  ephemeral: boolean;
  /**
   * Send the prompt on stdin instead of as an argument (the engine decides, by its size). Each of the
   * three CLIs reads a prompt from stdin when it gets none as an argument (codex: `-` as the prompt).
   */
  promptOnStdin?: boolean;
  /** Resume this native session (claude session_id, codex thread_id, gemini session_id). */
  resumeId?: string;
  /** Backend-specific switches from config (e.g. gemini skip_trust). */
  options?: Record<string, unknown>;
  /** The run's images and files, already written to `attachmentDir` (a private folder removed after the run). */
  attachments?: StagedAttachment[];
  attachmentDir?: string;
  /** The JSON Schema the answer must match (already checked to be one). */
  outputSchema?: Record<string, unknown>;
  /**
   * Where that schema was written, for a backend that takes it as a file (`schemaAs: 'file'`): set by the
   * engine for a real run; absent in a dry run's plan (the argv then shows a placeholder).
   */
  outputSchemaFile?: string;
  effort?: Effort;
  /** The caller's own tools, as an MCP server the agent is to load (runtime/tool-bridge.ts). */
  clientTools?: ClientToolServer;
  /**
   * The run's copy of the CLI's home (BackendAdapter.clientToolsHome), for a backend that reads its MCP
   * servers only from its settings; absent in a dry run's plan (the argv then shows a placeholder).
   */
  clientToolsHome?: string;
}

/** A per-run copy of a CLI's home folder that differs from the user's only in its settings file. */
export interface HomeOverlaySpec {
  /** The CLI's folder in the home (`.gemini`) and its settings file in it (`settings.json`). */
  dirName: string;
  settingsFile: string;
  /** The user's home as the CLI finds it, from the child's environment. */
  home(env: Record<string, string | undefined>): string | undefined;
  /** What is merged into the user's settings (objects one level deep, e.g. `mcpServers` by name). */
  settings(t: ClientToolServer): Record<string, unknown>;
}

/** One attachment as a backend hands it over: a file in the run's private folder. */
export interface StagedAttachment {
  /** Absolute path of the file. */
  path: string;
  name: string;
  mediaType: string;
  kind: 'image' | 'file';
  /** The image's bytes in base64, for backends that take images inline (claude stream-json image blocks). */
  base64?: string;
}

export interface BuiltArgv {
  args: string[];
  /** Options the backend has no flag for: reported, never silently dropped. */
  warnings: string[];
  /** Extra environment for the child (e.g. TMPDIR for gemini). */
  env?: Record<string, string>;
  /** Text for stdin; absent = stdin closed. */
  stdin?: string;
}

/** What a parser extracts from the backend's output, in order. The engine turns these into RunEvents. */
export type BackendEvent =
  | { kind: 'session'; id: string; model?: string }
  | { kind: 'text'; text: string }
  | { kind: 'tool_use'; id?: string; name: string; input: unknown }
  | { kind: 'tool_result'; id?: string; name?: string; output: string; isError?: boolean }
  /**
   * Token usage. `scope: 'run'` = this run only (claude result usage, gemini stats);
   * `scope: 'thread'` = running total of the whole native session (codex turn.completed).
   * `costUsd` of claude is a running session total (`costScope: 'session'`).
   */
  | { kind: 'usage'; usage: Partial<TokenUsage>; scope: 'run' | 'thread'; costUsd?: number; costScope?: 'run' | 'session' }
  /**
   * The final answer as the backend reports it at the end; used only when no text deltas were seen.
   * `structured`: the backend's structured output (claude --json-schema), which is the answer whatever text came before.
   */
  | { kind: 'final'; text: string; structured?: boolean }
  /**
   * A failure the backend reported. `fatal: false` = a notice (codex "Reconnecting... 2/5"), shown as a warning.
   * `category` lets the engine pick an error code: auth (not logged in), rate_limit (usage limit), other.
   */
  | { kind: 'error'; message: string; fatal: boolean; category?: 'auth' | 'rate_limit' | 'other'; retryAfterSeconds?: number }
  | { kind: 'warning'; message: string };

/** One parser per run: some formats need state (claude partial messages, gemini pretty-printed json). */
export interface OutputParser {
  /** One stdout line (without newline). Malformed lines yield a warning event, never a throw. */
  line(line: string): BackendEvent[];
  /** Called once after the process exited: flush buffered output, interpret exit code and stderr. */
  end(exit: { code: number | null; stderr: string }): BackendEvent[];
}

export interface BackendAdapter {
  name: string;
  /** Default executable name looked up on PATH. */
  binary: string;
  /** Human name for messages ("Claude Code"). */
  displayName: string;
  /** How a user installs and logs in, for "not installed" / "not logged in" hints. */
  installHint: string;
  loginHint: string;
  buildArgs(req: ArgvRequest): BuiltArgv;
  /** Default format is the streaming one the adapter's argv asks for; `json` parses the one-object output. */
  createParser(opts?: { format?: 'stream-json' | 'json' }): OutputParser;
  /** argv that prints the backend's version (e.g. ['--version']). */
  versionArgs: string[];
  /**
   * Flags a caller may pass through `extra`. Key = flag name; value = how many values it takes
   * (0 for a switch). `--flag=value` form is accepted for flags taking 1 value.
   */
  extraAllowList: Record<string, 0 | 1>;
  /**
   * The backend's long-lived mode (warm.ts): set when it can keep one process alive across turns.
   * Absent = every turn runs cold.
   */
  warm?: WarmProtocol;
  /**
   * What the backend takes as attachments (runtime/attachments.ts checks bytes and types first): `images`
   * natively, `files` as paths it can read. Absent = none: a run with attachments is refused (400).
   */
  attachments?: { images: boolean; files: boolean };
  /**
   * How the backend takes an output schema: `flag` (in its argv: claude --json-schema), `file` (a temp
   * file named in its argv: codex --output-schema), `prompt` (no flag: the schema is put in the prompt).
   * Absent = `prompt`.
   */
  schemaAs?: 'flag' | 'file' | 'prompt';
  /** The argv builder offers ArgvRequest.clientTools to the agent. Absent = a run with client tools is refused. */
  clientTools?: boolean;
  /**
   * For a backend that reads its MCP servers only from its settings file (gemini): the engine makes a
   * per-run copy of the CLI's home folder (runtime/node/home-overlay.ts) whose settings are the user's
   * with `settings(clientTools)` merged in, and passes its path as ArgvRequest.clientToolsHome.
   */
  clientToolsHome?: HomeOverlaySpec;
}
