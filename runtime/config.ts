// The configuration schema (SPEC §4). Its default values live in config-defaults.ts, which the engine
// reads without loading zod. Pure: loading the YAML file and the environment is runtime/node/config.ts's
// job; handlers only ever see a parsed Config.
// zod/mini, not classic zod: the CLI loads this file whenever there is a config file to check, and
// classic zod costs ~30 ms of start-up (its 750 KB are parsed on each run) where mini costs ~4 ms.
import * as z from 'zod/mini';
import { backendDefaults, CONFIG_DEFAULTS as D } from './config-defaults.ts';
import { APPROVAL_MODES, SANDBOX_MODES } from './contract.ts';

export { backendConfig, DEFAULT_BLOCKED_WORKDIR_PREFIXES, defaultConfig } from './config-defaults.ts';

// mini ships without messages ("Invalid input"); the English ones make config errors readable.
z.config(z.locales.en());

const int = (min: number, max?: number) => z.int().check(z.minimum(min), ...(max === undefined ? [] : [z.maximum(max)]));
const nonNegative = () => z.number().check(z.minimum(0));
/** A default that is never shared between parses (arrays and objects are copied). */
const withDefault = <T extends z.ZodMiniType>(s: T, value: z.output<T>) =>
  z._default(s, (() => (typeof value === 'object' && value !== null ? structuredClone(value) : value)) as never);

const B = backendDefaults();
const backendSchema = z.strictObject({
  model: z.optional(z.string()),
  /** Model aliases: `fast`, `balanced`, `best` (or any name) → a model of this backend. */
  models: withDefault(z.record(z.string(), z.string()), B.models),
  allowed_tools: withDefault(z.array(z.string()), B.allowed_tools),
  approval_mode: z.optional(z.enum(APPROVAL_MODES)),
  sandbox_mode: z.optional(z.enum(SANDBOX_MODES)),
  enabled: withDefault(z.boolean(), B.enabled),
  system_prompt: z.optional(z.string()),
  extra_flags: withDefault(z.array(z.string()), B.extra_flags),
  /** Command to run instead of the binary on PATH (a name or a path). */
  command: z.optional(z.string().check(z.minLength(1))),
  /** gemini only: pass --skip-trust (the user chose the workdir explicitly). */
  skip_trust: withDefault(z.boolean(), B.skip_trust),
});

const unifiedFlagsSchema = z.strictObject({
  approval_mode: withDefault(z.enum(APPROVAL_MODES), D.unified_flags.approval_mode),
  sandbox_mode: withDefault(z.enum(SANDBOX_MODES), D.unified_flags.sandbox_mode),
  verbose: withDefault(z.boolean(), D.unified_flags.verbose),
  dry_run: withDefault(z.boolean(), D.unified_flags.dry_run),
  max_turns: withDefault(int(0), D.unified_flags.max_turns),
  max_tokens: withDefault(int(0), D.unified_flags.max_tokens),
  command_timeout_secs: withDefault(nonNegative(), D.unified_flags.command_timeout_secs),
  idle_timeout_secs: withDefault(nonNegative(), D.unified_flags.idle_timeout_secs),
});

const sessionSchema = z.strictObject({
  auto_resume: withDefault(z.boolean(), D.session.auto_resume),
  retention_days: withDefault(int(0), D.session.retention_days),
  store_token_usage: withDefault(z.boolean(), D.session.store_token_usage),
  default_tags: withDefault(z.array(z.string()), D.session.default_tags),
});

const outputSchema = z.strictObject({
  format: z.optional(z.enum(['text', 'json', 'stream-json'])),
  show_tokens: withDefault(z.boolean(), D.output.show_tokens),
  show_timing: withDefault(z.boolean(), D.output.show_timing),
  color: withDefault(z.boolean(), D.output.color),
});

const serverSchema = z.strictObject({
  host: withDefault(z.string(), D.server.host),
  port: withDefault(int(0, 65535), D.server.port),
  request_timeout_secs: withDefault(nonNegative(), D.server.request_timeout_secs),
  read_timeout_secs: withDefault(nonNegative(), D.server.read_timeout_secs),
  write_timeout_secs: withDefault(nonNegative(), D.server.write_timeout_secs),
  idle_timeout_secs: withDefault(nonNegative(), D.server.idle_timeout_secs),
  rate_limit_enabled: withDefault(z.boolean(), D.server.rate_limit_enabled),
  rate_limit_rps: withDefault(z.number().check(z.positive()), D.server.rate_limit_rps),
  rate_limit_burst: withDefault(int(1), D.server.rate_limit_burst),
  max_request_body_bytes: withDefault(int(1), D.server.max_request_body_bytes),
  trusted_proxies: withDefault(z.array(z.string()), D.server.trusted_proxies),
  /** Host names accepted besides localhost, IP addresses and the bound host (DNS rebinding); `*` = any. */
  allowed_hosts: withDefault(z.array(z.string()), D.server.allowed_hosts),
  cors_allowed_origins: withDefault(z.array(z.string()), D.server.cors_allowed_origins),
  cors_allow_credentials: withDefault(z.boolean(), D.server.cors_allow_credentials),
  cors_max_age: withDefault(int(0), D.server.cors_max_age),
  allowed_workdir_prefixes: withDefault(z.array(z.string()), D.server.allowed_workdir_prefixes),
  /** Added to DEFAULT_BLOCKED_WORKDIR_PREFIXES, never replacing them. */
  blocked_workdir_prefixes: withDefault(z.array(z.string()), D.server.blocked_workdir_prefixes),
  metrics_enabled: withDefault(z.boolean(), D.server.metrics_enabled),
  /** 0 = derived from the machine (runtime/node decides). */
  max_concurrent_runs: withDefault(int(0), D.server.max_concurrent_runs),
  queue_timeout_secs: withDefault(nonNegative(), D.server.queue_timeout_secs),
  heartbeat_secs: withDefault(nonNegative(), D.server.heartbeat_secs),
  shutdown_grace_secs: withDefault(nonNegative(), D.server.shutdown_grace_secs),
  tool_result_timeout_secs: withDefault(int(1), D.server.tool_result_timeout_secs),
  /** The web console at GET / (handlers/console/). */
  console: withDefault(z.boolean(), D.server.console),
  // Images and files attached to a run (runtime/attachments.ts).
  max_attachment_bytes: withDefault(int(1), D.server.max_attachment_bytes),
  max_attachments: withDefault(int(0), D.server.max_attachments),
  fetch_remote_images: withDefault(z.boolean(), D.server.fetch_remote_images),
  fetch_remote_timeout_secs: withDefault(z.number().check(z.positive()), D.server.fetch_remote_timeout_secs),
});

const parallelSchema = z.strictObject({
  max_workers: withDefault(int(1), D.parallel.max_workers),
  fail_fast: withDefault(z.boolean(), D.parallel.fail_fast),
  aggregate_output: withDefault(z.boolean(), D.parallel.aggregate_output),
});

const warmSchema = z.strictObject({
  enabled: withDefault(z.boolean(), D.warm.enabled),
  /** 0 = from free memory (about one per 400 MB, at most 8). */
  max_agents: withDefault(int(0), D.warm.max_agents),
  idle_secs: withDefault(nonNegative(), D.warm.idle_secs),
  /** Initialized processes kept ready per backend, e.g. `{gemini: 1}`. */
  spares: withDefault(z.record(z.string(), int(0, 8)), D.warm.spares),
  /** A live agent older than this (or bigger than max_rss_mb) is restarted between turns; 0 = never. */
  max_age_secs: withDefault(nonNegative(), D.warm.max_age_secs),
  max_rss_mb: withDefault(nonNegative(), D.warm.max_rss_mb),
});

export const configSchema = z.strictObject({
  default_backend: withDefault(z.string(), D.default_backend),
  max_prompt_bytes: withDefault(int(1), D.max_prompt_bytes),
  unified_flags: z._default(unifiedFlagsSchema, () => unifiedFlagsSchema.parse({})),
  backends: withDefault(z.record(z.string(), backendSchema), D.backends),
  session: z._default(sessionSchema, () => sessionSchema.parse({})),
  output: z._default(outputSchema, () => outputSchema.parse({})),
  server: z._default(serverSchema, () => serverSchema.parse({})),
  parallel: z._default(parallelSchema, () => parallelSchema.parse({})),
  warm: z._default(warmSchema, () => warmSchema.parse({})),
});

export type Config = z.output<typeof configSchema>;
export type BackendConfig = z.output<typeof backendSchema>;


