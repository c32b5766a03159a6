// `clinvk sessions list|show|delete|clean`.
import { Command, Option, UsageError } from 'clipanion';
import * as t from 'typanion';
import { SESSION_STATUSES } from '../../runtime/contract.ts';
import { reportError } from '../context.ts';
import { ConfigCommand } from '../options.ts';
import { parseAge, relativeTime } from '../render/table.ts';

const category = 'Sessions';

class SessionsListCommand extends ConfigCommand {
  static override paths = [['sessions', 'list'], ['sessions', 'ls']];
  static override usage = Command.Usage({
    category,
    description: 'List sessions, most recently used first',
    examples: [['All', '$0 sessions list'], ['Codex errors as JSON', '$0 sessions list -b codex --status error --json']],
  });
  backend = Option.String('-b,--backend', { description: 'Only this backend' });
  status = Option.String('--status', { description: `Only this status: ${SESSION_STATUSES.join(', ')}`, validator: t.isEnum(SESSION_STATUSES) });
  limit = Option.String('-n,--limit', '20', { description: 'How many (default 20)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(1)]) });
  json = Option.Boolean('--json', false, { description: 'JSON output' });

  async execute(): Promise<number> {
    const { listSessions } = await import('../sessions-list.ts');
    return listSessions(this, this.context);
  }
}

class SessionsShowCommand extends ConfigCommand {
  static override paths = [['sessions', 'show']];
  static override usage = Command.Usage({ category, description: 'Show one session (an id prefix is enough)', examples: [['Show', '$0 sessions show 3f2a']] });
  id = Option.String({ name: 'id' });
  json = Option.Boolean('--json', false, { description: 'JSON output' });
  async execute(): Promise<number> {
    try {
      const store = await this.sessionStore();
      const { sessionToJson } = await import('../../runtime/wire.ts');
      const s = await store.get(this.id);
      if (this.json) {
        this.context.stdout.write(`${JSON.stringify(sessionToJson(s), null, 2)}\n`);
        return 0;
      }
      const u = s.tokenUsage;
      const lines = [
        ['id', s.id], ['backend', s.backend], ['status', s.status], ['title', s.title], ['working dir', s.workingDir],
        ['created', `${s.createdAt} (${relativeTime(s.createdAt)})`], ['last used', `${s.lastUsed} (${relativeTime(s.lastUsed)})`],
        ['turns', String(s.turnCount)], ['tokens', `${u.inputTokens} in, ${u.outputTokens} out, ${u.cachedTokens} cached`],
        ['model', s.model ?? '-'], ['backend session', s.backendSessionId ?? '- (not resumable)'],
        ...(s.costUsd !== undefined ? [['cost', `$${s.costUsd.toFixed(4)}`]] : []),
        ...(s.errorMessage ? [['error', s.errorMessage]] : []),
      ];
      for (const [k, v] of lines) this.context.stdout.write(`${k!.padEnd(16)}${v}\n`);
      return 0;
    } catch (err) {
      return reportError(err, this.context.stderr);
    }
  }
}

class SessionsDeleteCommand extends ConfigCommand {
  static override paths = [['sessions', 'delete'], ['sessions', 'rm']];
  static override usage = Command.Usage({ category, description: 'Delete a session (its full id, or at least 8 characters of it)', examples: [['Delete', '$0 sessions delete 3f2a9c01']] });
  id = Option.String({ name: 'id' });
  async execute(): Promise<number> {
    try {
      const store = await this.sessionStore();
      const { sessionToDelete } = await import('../../runtime/session-lookup.ts');
      const s = await sessionToDelete(store, this.id);
      await store.delete(s.id);
      this.context.stderr.write(`deleted ${s.id}\n`);
      return 0;
    } catch (err) {
      return reportError(err, this.context.stderr);
    }
  }
}

class SessionsCleanCommand extends ConfigCommand {
  static override paths = [['sessions', 'clean']];
  static override usage = Command.Usage({
    category,
    description: 'Delete sessions not used for a while (default: session.retention_days; 0 keeps everything)',
    examples: [['Older than 30 days', '$0 sessions clean --older-than 30d'], ['See what would go', '$0 sessions clean --older-than 7 --dry-run']],
  });
  olderThan = Option.String('--older-than', { description: 'Age: 30d, 7 (days) or 12h' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Only list what would be deleted' });
  async execute(): Promise<number> {
    try {
      const store = await this.sessionStore();
      const days = this.olderThan === undefined ? (await this.loadedConfig()).session.retention_days : parseAge(this.olderThan);
      if (days === undefined) throw new UsageError(`--older-than: "${this.olderThan}" is not an age (try 30d, 7 or 12h)`);
      if (days <= 0) {
        this.context.stderr.write('retention is 0: sessions are kept forever; pass --older-than to clean anyway\n');
        return 0;
      }
      if (this.dryRun) {
        const cutoff = Date.now() - days * 86_400_000;
        const old = (await store.list()).sessions.filter((s) => Date.parse(s.lastUsed) < cutoff);
        for (const s of old) this.context.stdout.write(`${s.id}  ${relativeTime(s.lastUsed)}  ${s.title}\n`);
        this.context.stderr.write(`${old.length} session(s) would be deleted\n`);
        return 0;
      }
      const { deleted } = await store.clean(days);
      for (const id of deleted) this.context.stdout.write(`${id}\n`);
      this.context.stderr.write(`deleted ${deleted.length} session(s) not used for ${days} day(s)\n`);
      return 0;
    } catch (err) {
      return reportError(err, this.context.stderr);
    }
  }
}

export const sessionCommands = [SessionsListCommand, SessionsShowCommand, SessionsDeleteCommand, SessionsCleanCommand];
