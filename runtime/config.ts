// The configuration schema (SPEC §4) and its defaults. Pure: loading the YAML file and the
// environment is runtime/node/config.ts's job; handlers only ever see a parsed Config.
import { z } from 'zod';
import { APPROVAL_MODES, SANDBOX_MODES } from './contract.ts';

const backendSchema = z
  .object({
    model: z.string().optional(),
    /** Model aliases: `fast`, `balanced`, `best` (or any name) → a model of this backend. */
    models: z.record(z.string(), z.string()).default({}),
    allowed_tools: z.array(z.string()).default([]),
    approval_mode: z.enum(APPROVAL_MODES).optional(),
    sandbox_mode: z.enum(SANDBOX_MODES).optional(),
    enabled: z.boolean().default(true),
    system_prompt: z.string().optional(),
    extra_flags: z.array(z.string()).default([]),
    /** Command to run instead of the binary on PATH (a name or a path). */
    command: z.string().min(1).optional(),
    /** gemini only: pass --skip-trust (the user chose the workdir explicitly). */
    skip_trust: z.boolean().default(true),
  })
  .strict();

const unifiedFlagsSchema = z
  .object({
    approval_mode: z.enum(APPROVAL_MODES).default('default'),
    sandbox_mode: z.enum(SANDBOX_MODES).default('default'),
    verbose: z.boolean().default(false),
    dry_run: z.boolean().default(false),
    max_turns: z.number().int().min(0).default(0),
    max_tokens: z.number().int().min(0).default(0),
    command_timeout_secs: z.number().min(0).default(0),
    idle_timeout_secs: z.number().min(0).default(0),
  })
  .strict();

const sessionSchema = z
  .object({
    auto_resume: z.boolean().default(false),
    retention_days: z.number().int().min(0).default(30),
    store_token_usage: z.boolean().default(true),
    default_tags: z.array(z.string()).default([]),
  })
  .strict();

const outputSchema = z
  .object({
    format: z.enum(['text', 'json', 'stream-json']).optional(),
    show_tokens: z.boolean().default(false),
    show_timing: z.boolean().default(false),
    color: z.boolean().default(true),
  })
  .strict();

export const DEFAULT_BLOCKED_WORKDIR_PREFIXES = [
  '/etc', '/root', '/proc', '/sys', '/dev', '/boot', '/bin', '/sbin', '/usr/bin', '/usr/sbin', '/lib', '/lib64', '/var/run', '/run',
];

const serverSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    request_timeout_secs: z.number().min(0).default(300),
    read_timeout_secs: z.number().min(0).default(30),
    write_timeout_secs: z.number().min(0).default(300),
    idle_timeout_secs: z.number().min(0).default(120),
    rate_limit_enabled: z.boolean().default(false),
    rate_limit_rps: z.number().positive().default(10),
    rate_limit_burst: z.number().int().positive().default(20),
    max_request_body_bytes: z.number().int().positive().default(10 * 1024 * 1024),
    trusted_proxies: z.array(z.string()).default([]),
    cors_allowed_origins: z.array(z.string()).default([]),
    cors_allow_credentials: z.boolean().default(false),
    cors_max_age: z.number().int().min(0).default(300),
    allowed_workdir_prefixes: z.array(z.string()).default([]),
    /** Added to DEFAULT_BLOCKED_WORKDIR_PREFIXES, never replacing them. */
    blocked_workdir_prefixes: z.array(z.string()).default([]),
    metrics_enabled: z.boolean().default(false),
    /** 0 = derived from the machine (runtime/node decides). */
    max_concurrent_runs: z.number().int().min(0).default(0),
    queue_timeout_secs: z.number().min(0).default(30),
    heartbeat_secs: z.number().min(0).default(15),
  })
  .strict();

const parallelSchema = z
  .object({
    max_workers: z.number().int().min(1).default(3),
    fail_fast: z.boolean().default(false),
    aggregate_output: z.boolean().default(true),
  })
  .strict();

export const configSchema = z
  .object({
    default_backend: z.string().default('claude'),
    unified_flags: unifiedFlagsSchema.default(() => unifiedFlagsSchema.parse({})),
    backends: z.record(z.string(), backendSchema).default({}),
    session: sessionSchema.default(() => sessionSchema.parse({})),
    output: outputSchema.default(() => outputSchema.parse({})),
    server: serverSchema.default(() => serverSchema.parse({})),
    parallel: parallelSchema.default(() => parallelSchema.parse({})),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type BackendConfig = z.infer<typeof backendSchema>;

export const defaultConfig = (): Config => configSchema.parse({});

/** The settings of one backend, with defaults when the file says nothing about it. */
export const backendConfig = (config: Config, name: string): BackendConfig =>
  config.backends[name] ?? backendSchema.parse({});
