// The CLI's one mapping from error codes to exit codes (SPEC §3).
import type { ErrorCode, RunResult } from '../runtime/contract.ts';

export const EXIT = {
  ok: 0,
  general: 1,
  backendUnavailable: 2,
  config: 3,
  session: 4,
  api: 5,
  timeout: 6,
  cancelled: 7,
} as const;

const BY_CODE: Record<ErrorCode, number> = {
  INVALID_INPUT: EXIT.general,
  PROMPT_TOO_LARGE: EXIT.general,
  UNKNOWN_BACKEND: EXIT.general,
  FLAG_NOT_ALLOWED: EXIT.general,
  WORKDIR_FORBIDDEN: EXIT.general,
  BACKEND_UNAVAILABLE: EXIT.backendUnavailable,
  CONFIG_INVALID: EXIT.config,
  SESSION_NOT_FOUND: EXIT.session,
  SESSION_AMBIGUOUS: EXIT.session,
  SESSION_NOT_RESUMABLE: EXIT.session,
  SESSION_STORE: EXIT.session,
  BACKEND_FAILED: EXIT.general,
  BACKEND_RATE_LIMITED: EXIT.general,
  BACKEND_AUTH: EXIT.general,
  TIMEOUT: EXIT.timeout,
  IDLE_TIMEOUT: EXIT.timeout,
  CANCELLED: EXIT.cancelled,
  SPAWN_FAILED: EXIT.backendUnavailable,
  OVERLOADED: EXIT.api,
  OUTPUT_SCHEMA_MISMATCH: EXIT.general,
  INTERNAL: EXIT.general,
};

export const exitCodeFor = (code: ErrorCode): number => BY_CODE[code];

/** A failed backend keeps its own non-zero exit code (SPEC §3); our own failures use the table. */
export function exitCodeOfResult(result: RunResult): number {
  if (!result.error) return EXIT.ok;
  const backendCode = ['BACKEND_FAILED', 'BACKEND_AUTH', 'BACKEND_RATE_LIMITED'].includes(result.error.code) ? result.exitCode : 0;
  return backendCode > 0 ? backendCode : exitCodeFor(result.error.code);
}
