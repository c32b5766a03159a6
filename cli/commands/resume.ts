// `clinvk resume [id] [prompt…]`: continue a session by id (or prefix), --last, --here, or a picker.
import { Command, Option, UsageError } from 'clipanion';
import { ClinvkError, type Session } from '../../runtime/contract.ts';
import { isTty, promptFrom, reportError } from '../context.ts';
import { RunCommand } from '../options.ts';
import { relativeTime } from '../render/table.ts';
import { runPrompt } from '../run-prompt.ts';

export class ResumeCommand extends RunCommand {
  static override paths = [['resume']];
  static override usage = Command.Usage({
    category: 'Sessions',
    description: 'Continue a session: by id (a unique prefix is enough), the last one, the last one here, or pick one',
    examples: [
      ['By id prefix', '$0 resume 3f2a "and now the docs"'],
      ['The most recent session', '$0 resume --last "continue"'],
      ['The most recent in this directory, codex only', '$0 resume --here -b codex "continue"'],
      ['Pick from a list', '$0 resume -i'],
    ],
  });
  last = Option.Boolean('--last', false, { description: 'The most recent resumable session' });
  here = Option.Boolean('--here', false, { description: 'The most recent resumable session in this directory' });
  interactive = Option.Boolean('-i,--interactive', false, { description: 'Pick a session from a list (needs a terminal)' });
  args = Option.Rest({ name: 'id and prompt' });

  async execute(): Promise<number> {
    try {
      const rt = await this.runtime();
      const { findResumeTarget } = await import('../../runtime/session-lookup.ts');
      let words = [...this.args];
      let session: Session | undefined;
      if (this.interactive) session = await this.pick(rt.sessions);
      else if (this.last || this.here) {
        session = await findResumeTarget(rt.sessions, { ...(this.here ? { here: process.cwd() } : {}), ...(this.backend ? { backend: this.backend } : {}) });
        if (!session) throw new ClinvkError('SESSION_NOT_FOUND', `no resumable session${this.here ? ' in this directory' : ''}${this.backend ? ` for ${this.backend}` : ''}`, { hint: 'list sessions with `clinvk sessions list`' });
      } else {
        const id = words.shift();
        if (!id) throw new UsageError('which session? pass an id (or prefix), --last, --here or -i');
        session = await rt.sessions.get(id);
      }
      const prompt = await promptFrom(words, this.context.stdin);
      if (!prompt) throw new UsageError('no prompt: pass one after the session id, or `-` to read it from stdin');
      this.context.stderr.write(`Resuming session ${session.id.slice(0, 8)} (${session.backend}, ${session.turnCount} turns)\n`);
      const inv = { ...this.invocation(rt, prompt), backend: session.backend, sessionId: session.id };
      return await runPrompt({ rt, inv, format: this.format(rt), stdout: this.context.stdout, stderr: this.context.stderr, verbose: this.verbose });
    } catch (err) {
      if (err instanceof UsageError) throw err;
      return reportError(err, this.context.stderr);
    }
  }

  private async pick(store: { list: (f?: object) => Promise<{ sessions: Session[] }> }): Promise<Session> {
    if (!isTty(this.context.stdin) || !isTty(this.context.stderr)) {
      throw new ClinvkError('INVALID_INPUT', '--interactive needs a terminal', { hint: 'pass a session id, --last or --here instead' });
    }
    const sessions = (await store.list(this.backend ? { backend: this.backend } : {})).sessions.filter((s) => s.backendSessionId).slice(0, 20);
    if (sessions.length === 0) throw new ClinvkError('SESSION_NOT_FOUND', 'no resumable session to pick from');
    sessions.forEach((s, i) => this.context.stderr.write(`${String(i + 1).padStart(3)}) ${s.id.slice(0, 8)}  ${s.backend.padEnd(7)} ${relativeTime(s.lastUsed).padEnd(9)} ${s.title}\n`));
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: this.context.stdin, output: this.context.stderr });
    try {
      const answer = (await rl.question('Session number: ')).trim();
      const chosen = sessions[Number(answer) - 1];
      if (!chosen) throw new ClinvkError('INVALID_INPUT', `"${answer}" is not one of the numbers shown`);
      return chosen;
    } finally {
      rl.close();
    }
  }
}
