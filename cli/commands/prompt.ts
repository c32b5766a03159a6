// `clinvk [flags] <prompt…>`: run one prompt on one backend. Its help, its errors, and the argv the
// quick reader (quick-argv.ts) leaves alone come through here; both end in promptMain.
import { Command, Option, UsageError } from 'clipanion';
import { promptFrom } from '../context.ts';
import { RunCommand } from '../options.ts';
import { promptMain } from '../prompt-main.ts';

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
      ['Show it a screenshot and a file', '$0 -b codex --image shot.png --file report.pdf "does the page match the report?"'],
    ],
  });

  continue = Option.Boolean('-c,--continue', false, { description: 'Continue the most recent resumable session (this directory first, then this backend)' });
  words = Option.Rest({ name: 'prompt' });

  async execute(): Promise<number> {
    const prompt = await promptFrom(this.words, this.context.stdin);
    if (!prompt) throw new UsageError('no prompt: pass one as an argument (quoted), or `-` to read it from stdin');
    return promptMain(this, prompt, this.context);
  }
}
