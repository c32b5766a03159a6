// pino on stderr, so stdout stays clean for answers, JSON output and MCP stdio (STACK §8).
// server: JSON lines; cli: readable lines (pino-pretty in-thread, no worker), quiet unless verbose.
import pino from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from '../contract.ts';

/**
 * Secrets never logged. pino takes exact paths and whole-segment wildcards only (`*.apiKey`);
 * partial ones like `*_KEY` redact nothing, so every name is listed.
 */
const SECRET_KEYS = ['authorization', 'apiKey', 'api_key', 'apiKeys', 'api_keys', 'keys', 'token', 'accessToken', 'access_token', 'password', 'cookie'];
const HEADER_KEYS = ['authorization', '"x-api-key"', 'cookie', '"set-cookie"', '"proxy-authorization"'];
export const REDACT_PATHS = [
  ...SECRET_KEYS,
  '"x-api-key"',
  ...SECRET_KEYS.map((k) => `*.${k}`),
  '*["x-api-key"]',
  ...HEADER_KEYS.flatMap((h) => [`headers[${h}]`, `*.headers[${h}]`, `req.headers[${h}]`, `request.headers[${h}]`]),
  'env.CLINVK_API_KEYS',
  'env.ANTHROPIC_API_KEY',
  'env.OPENAI_API_KEY',
  'env.CODEX_API_KEY',
  'env.GEMINI_API_KEY',
  'env.GOOGLE_API_KEY',
];

export interface LoggerOptions {
  mode: 'cli' | 'server';
  /** pino level name; default: `warn` for the CLI, `info` for the server. */
  level?: string;
  /** Where to write (tests); default fd 2. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions): Logger & { flush?(): void } {
  const level = opts.level ?? (opts.mode === 'cli' ? 'warn' : 'info');
  const redact = { paths: REDACT_PATHS, censor: '[REDACTED]' };
  if (opts.mode === 'cli') {
    const stream = pretty({
      destination: opts.destination ?? 2,
      colorize: opts.destination ? false : process.stderr.isTTY === true,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname',
      sync: true,
    });
    return pino({ level, redact, base: null }, stream);
  }
  const dest = opts.destination ?? pino.destination({ fd: 2, sync: false });
  return pino({ level, redact, base: { app: 'clinvk' } }, dest);
}
