// `clinvk [flags] <prompt…>`: run one prompt on one backend.
import { resolve } from 'node:path';
import { Command, Option, UsageError } from 'clipanion';
import { promptFrom, reportError } from '../context.ts';
import { RunCommand } from '../options.ts';
import { runPrompt } from '../run-prompt.ts';

export class PromptCommand extends RunCommand {
  static override paths = [Command.Default];
  static override usage = Command.Usage({
    description: 'Run a prompt on claude, codex or gemini',
    details: `
      Quote the prompt: a prompt whose first word is a command name (\`sessions\`, \`chain\`…) or that contains
      a dash word is otherwise read as a command or a flag. A prompt that starts with a dash goes after \`--\`.
      With \`-\`, or with no prompt and a pipe on stdin, the prompt is read from stdin.

      The answer streams to stdout; warnings and progress go to stderr. Exit codes: 0 ok, 1 error,
      2 backend not available, 3 bad config, 4 session error, 6 timeout, 7 cancelled; a backend that fails
      passes its own exit code through.
    `,
    examples: [
      ['Ask the default backend', '$0 "explain this repository"'],
      ['Pick backend and model', '$0 -b codex -m best "write the tests"'],
      ['Continue the last session here', '$0 -c "now fix the failing one"'],
      ['Prompt from a file', 'cat task.md | $0 -b gemini -'],
      ['A prompt that starts with a dash', '$0 -- "--help me"'],
      ['See the exact command', '$0 --dry-run -b claude "hi"'],
    ],
  });

  continue = Option.Boolean('-c,--continue', false, { description: 'Continue the most recent resumable session (this directory first, then this backend)' });
  words = Option.Rest({ name: 'prompt' });

  async execute(): Promise<number> {
    const prompt = await promptFrom(this.words, this.context.stdin);
    if (!prompt) throw new UsageError('no prompt: pass one as an argument (quoted), or `-` to read it from stdin');
    try {
      const rt = await this.runtime();
      const inv = this.invocation(rt, prompt);
      if (this.continue || (rt.config.session.auto_resume && !this.ephemeral)) {
        const { findContinueTarget } = await import('../../runtime/session-lookup.ts');
        const workdir = resolve(inv.workdir ?? process.cwd());
        const target = await findContinueTarget(rt.sessions, { workdir, backend: inv.backend, backendNamed: !!this.backend, strict: !this.continue });
        if (target) {
          inv.sessionId = target.id;
          this.context.stderr.write(`Continuing session ${target.id.slice(0, 8)} (${target.backend}, ${target.turnCount} turns)\n`);
        } else if (this.continue) {
          this.context.stderr.write('No resumable session found here; starting a new one.\n');
        }
      }
      return await runPrompt({ rt, inv, format: this.format(rt), stdout: this.context.stdout, stderr: this.context.stderr, verbose: this.verbose });
    } catch (err) {
      return reportError(err, this.context.stderr);
    }
  }
}
