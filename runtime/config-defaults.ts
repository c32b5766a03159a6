// The defaults of SPEC §4 as plain data, and the lookups the engine needs. No zod here: a run with
// no config file (the common case) never loads the schema, which costs ~8 ms of CLI start-up.
// runtime/config.ts builds its schema's defaults from these values, so the two cannot drift.
import type { BackendConfig, Config } from './config.ts';

export const DEFAULT_BLOCKED_WORKDIR_PREFIXES = [
  '/etc', '/root', '/proc', '/sys', '/dev', '/boot', '/bin', '/sbin', '/usr/bin', '/usr/sbin', '/lib', '/lib64', '/var/run', '/run',
];

/**
 * What a backend the file does not mention gets (its optional keys stay unset). A function: every
 * caller gets its own arrays, and a literal costs far less than a clone on the engine's hot path.
 */
export const backendDefaults = () => ({
  models: {} as Record<string, string>,
  allowed_tools: [] as string[],
  enabled: true,
  extra_flags: [] as string[],
  skip_trust: true,
});

export const CONFIG_DEFAULTS = {
  default_backend: 'claude',
  /** The largest prompt a run accepts, in UTF-8 bytes, its system prompt included (1 MiB). */
  max_prompt_bytes: 1024 * 1024,
  unified_flags: {
    approval_mode: 'default' as const,
    sandbox_mode: 'default' as const,
    verbose: false,
    dry_run: false,
    max_turns: 0,
    max_tokens: 0,
    command_timeout_secs: 0,
    idle_timeout_secs: 0,
  },
  backends: {},
  session: { auto_resume: false, retention_days: 30, store_token_usage: true, default_tags: [] },
  output: { show_tokens: false, show_timing: false, color: true },
  server: {
    host: '127.0.0.1',
    port: 8080,
    request_timeout_secs: 300,
    read_timeout_secs: 30,
    write_timeout_secs: 300,
    idle_timeout_secs: 120,
    rate_limit_enabled: false,
    rate_limit_rps: 10,
    rate_limit_burst: 20,
    max_request_body_bytes: 10 * 1024 * 1024,
    trusted_proxies: [],
    allowed_hosts: [],
    cors_allowed_origins: [],
    cors_allow_credentials: false,
    cors_max_age: 300,
    allowed_workdir_prefixes: [],
    blocked_workdir_prefixes: [],
    metrics_enabled: false,
    max_concurrent_runs: 0,
    queue_timeout_secs: 30,
    heartbeat_secs: 15,
    /** Ctrl-C/SIGTERM: how long runs in flight may go on before they are cancelled. */
    shutdown_grace_secs: 10,
    /** How long an agent waits for a caller's result of its own tool (OpenAI/Anthropic function tools). */
    tool_result_timeout_secs: 300,
    console: true,
    /** Per attachment (image or file), decoded bytes; and how many one run may have. */
    max_attachment_bytes: 5 * 1024 * 1024,
    max_attachments: 10,
    /** Off: an http(s) image URL is a 400. On: the runtime fetches it (max_attachment_bytes, this timeout). */
    fetch_remote_images: false,
    fetch_remote_timeout_secs: 10,
  },
  parallel: { max_workers: 3, fail_fast: false, aggregate_output: true },
  /** Live agents in long-lived processes (`clinvk serve`, `clinvk mcp`). max_agents 0 = from free memory. */
  warm: { enabled: true, max_agents: 0, idle_secs: 300, spares: {} as Record<string, number>, max_age_secs: 3600, max_rss_mb: 2048 },
};

/** A fresh copy of the defaults (callers may change it). Typed here, so a missing key fails to compile. */
export const defaultConfig = (): Config => structuredClone(CONFIG_DEFAULTS);

/** The settings of one backend, with defaults when the file says nothing about it. */
export const backendConfig = (config: Config, name: string): BackendConfig =>
  config.backends[name] ?? backendDefaults();
