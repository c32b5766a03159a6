// Classifies a backend's failure message: not logged in, usage/rate limit (with the reset time
// when the message names one), or anything else. Shared by the three parsers.

export type FailureCategory = 'auth' | 'rate_limit' | 'other';

const RATE_LIMIT = [
  /usage limit/i,
  /rate[ _-]?limit/i,
  /\b429\b/,
  /too many requests/i,
  /limit reached/i,
  /hit your (?:usage )?limit/i,
  /resource[_ ]exhausted/i,
  /quota/i,
];

const AUTH = [
  /not logged in/i,
  /please run \/login/i,
  /invalid (?:x-)?api[ _-]?key/i,
  /api key not valid/i,
  /incorrect api key/i,
  /\b401\b/,
  /unauthori[sz]ed/i,
  /authentication[_ ](?:error|failed)/i,
  /auth method/i,
  /missing environment variable/i,
  /no codex credentials/i,
  /codex login/i,
  /oauth token (?:has )?expired/i,
];

/** `status` is the HTTP status when the backend reports one (claude api_error_status, gemini code). */
export function classifyFailure(message: string, status?: number | null): { category: FailureCategory; retryAfterSeconds?: number } {
  if (status === 401 || status === 403) return { category: 'auth' };
  if (status === 429 || RATE_LIMIT.some((re) => re.test(message))) {
    const retry = parseRetryAfter(message);
    return retry === undefined ? { category: 'rate_limit' } : { category: 'rate_limit', retryAfterSeconds: retry };
  }
  if (AUTH.some((re) => re.test(message))) return { category: 'auth' };
  return { category: 'other' };
}

const UNIT_SECONDS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1 };

/**
 * Seconds until a limit resets, from the forms the CLIs print:
 * `…limit reached|1767225600` (claude, epoch seconds), `try again in 2 hours 5 minutes` / `in 1.5s` (codex),
 * `resets 3pm` / `resets 5:30am (Europe/Berlin)` / `try again at 3:45 PM` (clock time; read in the local
 * time zone, since the zone name cannot be resolved without a zone database).
 */
export function parseRetryAfter(message: string, now: Date = new Date()): number | undefined {
  const epoch = /\|(\d{10})\b/.exec(message);
  if (epoch?.[1] !== undefined) return Math.max(0, Number(epoch[1]) - Math.floor(now.getTime() / 1000));

  const rel = /\b(?:try again|retry|resets?|available again)\s+(?:in|after)\s+((?:\d+(?:\.\d+)?\s*[a-z]+[\s,]*(?:and\s+)?)+)/i.exec(message);
  if (rel?.[1] !== undefined) {
    let total = 0;
    for (const m of rel[1].matchAll(/(\d+(?:\.\d+)?)\s*(d|h|m|s)[a-z]*/gi)) {
      total += Number(m[1]) * (UNIT_SECONDS[(m[2] ?? 's').toLowerCase()] ?? 0);
    }
    if (total > 0) return Math.ceil(total);
  }

  const clock = /\b(?:resets?|try again)(?:\s+at)?\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b/i.exec(message);
  if (clock?.[1] !== undefined && (clock[2] !== undefined || clock[3] !== undefined)) {
    let hour = Number(clock[1]);
    const minute = Number(clock[2] ?? '0');
    const half = clock[3]?.toLowerCase();
    if (half === 'pm' && hour < 12) hour += 12;
    if (half === 'am' && hour === 12) hour = 0;
    if (hour > 23 || minute > 59) return undefined;
    const at = new Date(now.getTime());
    at.setHours(hour, minute, 0, 0);
    if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
    return Math.ceil((at.getTime() - now.getTime()) / 1000);
  }
  return undefined;
}
