// The one table from error codes to HTTP statuses, used by every surface (REST, OpenAI, Anthropic, MCP over HTTP).
import type { ErrorCode } from '../runtime/contract.ts';

const STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  PROMPT_TOO_LARGE: 413,
  UNKNOWN_BACKEND: 400,
  FLAG_NOT_ALLOWED: 400,
  WORKDIR_FORBIDDEN: 400,
  BACKEND_UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
  SESSION_NOT_FOUND: 404,
  SESSION_AMBIGUOUS: 400,
  SESSION_NOT_RESUMABLE: 409,
  SESSION_STORE: 500,
  BACKEND_FAILED: 502,
  BACKEND_RATE_LIMITED: 429,
  BACKEND_AUTH: 502,
  TIMEOUT: 504,
  IDLE_TIMEOUT: 504,
  CANCELLED: 499,
  SPAWN_FAILED: 502,
  OVERLOADED: 503,
  OUTPUT_SCHEMA_MISMATCH: 502, // the agent answered, but not as asked: a bad gateway answer, not the client's fault
  INTERNAL: 500,
};

export const httpStatusFor = (code: ErrorCode): number => STATUS[code] ?? 500;
