// The body of `clinvk sessions list` once its flags are read, by clipanion (commands/sessions.ts) or
// by the quick path (quick-argv.ts). Needs the session store alone: no engine, no config file.
import type { Writable } from 'node:stream';
import type { SessionStatus } from '../runtime/contract.ts';
import { openSessionStore } from '../runtime/node/open-sessions.ts';
import { sessionToJson } from '../runtime/wire.ts';
import { reportError } from './context.ts';
import { compactNumber, relativeTime, table } from './render/table.ts';

export interface ListFlags {
  backend?: string | undefined;
  status?: SessionStatus | undefined;
  limit: number;
  json: boolean;
}

export async function listSessions(flags: ListFlags, io: { stdout: Writable; stderr: Writable }): Promise<number> {
  try {
    const store = openSessionStore(process.env);
    const { sessions, total } = await store.list({ limit: flags.limit, ...(flags.backend ? { backend: flags.backend } : {}), ...(flags.status ? { status: flags.status } : {}) });
    if (flags.json) {
      io.stdout.write(`${JSON.stringify({ sessions: sessions.map(sessionToJson), total }, null, 2)}\n`);
      return 0;
    }
    if (sessions.length === 0) {
      io.stderr.write('No sessions yet. Run a prompt (without --ephemeral) to create one.\n');
      return 0;
    }
    const width = (io.stdout as { columns?: number }).columns ?? 120;
    const rows = sessions.map((s) => [s.id.slice(0, 8), s.backend, s.status, relativeTime(s.lastUsed), compactNumber(s.tokenUsage.inputTokens + s.tokenUsage.outputTokens), s.title]);
    io.stdout.write(table(['ID', 'BACKEND', 'STATUS', 'LAST USED', 'TOKENS', 'TITLE'], rows, width));
    if (total > sessions.length) io.stderr.write(`(${sessions.length} of ${total}; -n to show more)\n`);
    return 0;
  } catch (err) {
    return reportError(err, io.stderr);
  }
}
