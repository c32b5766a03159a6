// pino on stderr, so stdout stays clean for answers, JSON output and MCP stdio (STACK §8).
// server: JSON lines; cli: readable lines (pino-pretty in-thread, no worker), quiet unless verbose.
import { createRequire } from 'node:module';
import type { Logger } from '../contract.ts';

/**
 * pino and pino-pretty are required, not imported: the CLI loads them on the first line it actually
 * prints (its level is `warn`, and most runs print none), so a plain `clinvk "prompt"` never pays
 * for them. The build leaves both out of the bundle (scripts/build.mjs `external`), so these
 * synchronous requires find the installed packages.
 */
const require = createRequire(import.meta.url);
type Pino = typeof import('pino').default;
type PinoLogger = import('pino').Logger;
const loadPino = () => require('pino') as Pino;
const loadPretty = () => require('pino-pretty') as (opts: import('pino-pretty').PrettyOptions) => { write(line: string): unknown };

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

/** pino's numbers for its level names. */
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export function createLogger(opts: LoggerOptions): Logger & { flush?(): void } {
  const level = opts.level ?? (opts.mode === 'cli' ? 'warn' : 'info');
  const redact = { paths: REDACT_PATHS, censor: '[REDACTED]' };
  if (opts.mode === 'cli') {
    let root: PinoLogger | undefined;
    const make = () =>
      (root ??= loadPino()(
        { level, redact, base: null },
        loadPretty()({
          destination: opts.destination ?? 2,
          colorize: opts.destination ? false : process.stderr.isTTY === true,
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname',
          sync: true,
        }),
      ));
    return { ...lazyLogger(LEVELS[level] ?? LEVELS.warn!, make, []), flush: () => root?.flush() };
  }
  const pino = loadPino();
  const dest = opts.destination ?? pino.destination({ fd: 2, sync: false });
  return pino({ level, redact, base: { app: 'clinvk' } }, dest);
}

/** A logger that creates the real one (and its children) only when a line passes the level. */
function lazyLogger(threshold: number, make: () => PinoLogger, bindings: Record<string, unknown>[]): Logger {
  let real: PinoLogger | undefined;
  const at =
    (name: 'debug' | 'info' | 'warn' | 'error') =>
    (obj: unknown, msg?: string): void => {
      if (LEVELS[name]! < threshold) return;
      real ??= bindings.reduce<PinoLogger>((l, b) => l.child(b), make());
      real[name](obj, msg);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => lazyLogger(threshold, make, [...bindings, b]) };
}
