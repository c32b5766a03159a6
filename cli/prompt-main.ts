// The body of `clinvk [flags] <prompt…>` once the flags are read, by clipanion (commands/prompt.ts)
// or by the quick path (quick-argv.ts): build the run, pick the session to continue, run it.
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { reportError } from './context.ts';
import { formatOf, invocationOf, runtimeFor, type PromptFlags } from './run-flags.ts';
import { runPrompt } from './run-prompt.ts';

export async function promptMain(flags: PromptFlags, prompt: string, io: { stdout: Writable; stderr: Writable }): Promise<number> {
  try {
    const rt = await runtimeFor(flags);
    const inv = invocationOf(flags, rt, prompt);
    if (flags.continue || (rt.config.session.auto_resume && !flags.ephemeral)) {
      const { findContinueTarget } = await import('../runtime/session-lookup.ts');
      const workdir = resolve(inv.workdir ?? process.cwd());
      const target = await findContinueTarget(rt.sessions, { workdir, backend: inv.backend, backendNamed: !!flags.backend, strict: !flags.continue });
      if (target) {
        inv.sessionId = target.id;
        io.stderr.write(`Continuing session ${target.id.slice(0, 8)} (${target.backend}, ${target.turnCount} turns)\n`);
      } else if (flags.continue) {
        io.stderr.write('No resumable session found here; starting a new one.\n');
      }
    }
    return await runPrompt({ rt, inv, format: formatOf(flags, rt, io.stdout), stdout: io.stdout, stderr: io.stderr, verbose: flags.verbose });
  } catch (err) {
    return reportError(err, io.stderr);
  }
}
