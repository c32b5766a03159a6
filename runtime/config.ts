// The configuration schema (SPEC §4) and its defaults. Pure: loading the YAML file and the
// environment is runtime/node/config.ts's job; handlers only ever see a parsed Config.
// zod/mini, not classic zod: every CLI command loads this file, and classic zod costs ~30 ms of
// start-up (its 750 KB are parsed on each run) where mini costs ~4 ms. Same engine, same errors.
import * as z from 'zod/mini';
import { APPROVAL_MODES, SANDBOX_MODES } from './contract.ts';

// mini ships without messages ("Invalid input"); the English ones make config errors readable.
z.config(z.locales.en());

const int = (min: number, max?: number) => z.int().check(z.minimum(min), ...(max === undefined ? [] : [z.maximum(max)]));
const nonNegative = () => z.number().check(z.minimum(0));
/** A default that is never shared between parses (arrays and objects are copied). */
const withDefault = <T extends z.ZodMiniType>(s: T, value: z.output<T>) =>
  z._default(s, (() => (typeof value === 'object' && value !== null ? structuredClone(value) : value)) as never);

const backendSchema = z.strictObject({
  model: z.optional(z.string()),
  /** Model aliases: `fast`, `balanced`, `best` (or any name) → a model of this backend. */
  models: withDefault(z.record(z.string(), z.string()), {}),
  allowed_tools: withDefault(z.array(z.string()), []),
  approval_mode: z.optional(z.enum(APPROVAL_MODES)),
  sandbox_mode: z.optional(z.enum(SANDBOX_MODES)),
  enabled: withDefault(z.boolean(), true),
  system_prompt: z.optional(z.string()),
  extra_flags: withDefault(z.array(z.string()), []),
  /** Command to run instead of the binary on PATH (a name or a path). */
  command: z.optional(z.string().check(z.minLength(1))),
  /** gemini only: pass --skip-trust (the user chose the workdir explicitly). */
  skip_trust: withDefault(z.boolean(), true),
});

const unifiedFlagsSchema = z.strictObject({
  approval_mode: withDefault(z.enum(APPROVAL_MODES), 'default'),
  sandbox_mode: withDefault(z.enum(SANDBOX_MODES), 'default'),
  verbose: withDefault(z.boolean(), false),
  dry_run: withDefault(z.boolean(), false),
  max_turns: withDefault(int(0), 0),
  max_tokens: withDefault(int(0), 0),
  command_timeout_secs: withDefault(nonNegative(), 0),
  idle_timeout_secs: withDefault(nonNegative(), 0),
});

const sessionSchema = z.strictObject({
  auto_resume: withDefault(z.boolean(), false),
  retention_days: withDefault(int(0), 30),
  store_token_usage: withDefault(z.boolean(), true),
  default_tags: withDefault(z.array(z.string()), []),
});

const outputSchema = z.strictObject({
  format: z.optional(z.enum(['text', 'json', 'stream-json'])),
  show_tokens: withDefault(z.boolean(), false),
  show_timing: withDefault(z.boolean(), false),
  color: withDefault(z.boolean(), true),
});

export const DEFAULT_BLOCKED_WORKDIR_PREFIXES = [
  '/etc', '/root', '/proc', '/sys', '/dev', '/boot', '/bin', '/sbin', '/usr/bin', '/usr/sbin', '/lib', '/lib64', '/var/run', '/run',
];

const serverSchema = z.strictObject({
  host: withDefault(z.string(), '127.0.0.1'),
  port: withDefault(int(0, 65535), 8080),
  request_timeout_secs: withDefault(nonNegative(), 300),
  read_timeout_secs: withDefault(nonNegative(), 30),
  write_timeout_secs: withDefault(nonNegative(), 300),
  idle_timeout_secs: withDefault(nonNegative(), 120),
  rate_limit_enabled: withDefault(z.boolean(), false),
  rate_limit_rps: withDefault(z.number().check(z.positive()), 10),
  rate_limit_burst: withDefault(int(1), 20),
  max_request_body_bytes: withDefault(int(1), 10 * 1024 * 1024),
  trusted_proxies: withDefault(z.array(z.string()), []),
  cors_allowed_origins: withDefault(z.array(z.string()), []),
  cors_allow_credentials: withDefault(z.boolean(), false),
  cors_max_age: withDefault(int(0), 300),
  allowed_workdir_prefixes: withDefault(z.array(z.string()), []),
  /** Added to DEFAULT_BLOCKED_WORKDIR_PREFIXES, never replacing them. */
  blocked_workdir_prefixes: withDefault(z.array(z.string()), []),
  metrics_enabled: withDefault(z.boolean(), false),
  /** 0 = derived from the machine (runtime/node decides). */
  max_concurrent_runs: withDefault(int(0), 0),
  queue_timeout_secs: withDefault(nonNegative(), 30),
  heartbeat_secs: withDefault(nonNegative(), 15),
});

const parallelSchema = z.strictObject({
  max_workers: withDefault(int(1), 3),
  fail_fast: withDefault(z.boolean(), false),
  aggregate_output: withDefault(z.boolean(), true),
});

export const configSchema = z.strictObject({
  default_backend: withDefault(z.string(), 'claude'),
  unified_flags: z._default(unifiedFlagsSchema, () => unifiedFlagsSchema.parse({})),
  backends: withDefault(z.record(z.string(), backendSchema), {}),
  session: z._default(sessionSchema, () => sessionSchema.parse({})),
  output: z._default(outputSchema, () => outputSchema.parse({})),
  server: z._default(serverSchema, () => serverSchema.parse({})),
  parallel: z._default(parallelSchema, () => parallelSchema.parse({})),
});

export type Config = z.output<typeof configSchema>;
export type BackendConfig = z.output<typeof backendSchema>;

export const defaultConfig = (): Config => configSchema.parse({});

/** The settings of one backend, with defaults when the file says nothing about it. */
export const backendConfig = (config: Config, name: string): BackendConfig =>
  config.backends[name] ?? backendSchema.parse({});
