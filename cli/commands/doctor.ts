// `clinvk doctor`: is everything clinvk needs in place? Exit 0 when no check failed, 1 when one did.
import { Command, Option } from 'clipanion';
import type { NodeRuntime } from '../../runtime/node/index.ts';
import { interruptible, isTty, reportError } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { ConfigCommand } from '../options.ts';

export class DoctorCommand extends ConfigCommand {
  static override paths = [['doctor']];
  static override usage = Command.Usage({
    description: 'Check that clinvk and the backend CLIs are ready to run',
    details: `
      Checks, without the network: the Node version; for each backend (claude, codex, gemini) whether it is found (path), its version against the versions clinvk is tested on, and whether it is logged in (its own status command, else its auth files and variables); codex's sandbox on Linux (bubblewrap); the config file; the sessions folder and its lock.

      Each line is marked ✓ (fine), ! (a warning), ✗ (a problem) or – (not applicable), and each warning or problem says what to do. A problem with the default backend is a ✗; with another backend it is a !.

      \`--live\` also sends one tiny real prompt to each backend that is found and logged in: it costs tokens.

      Exit code: 0 when nothing failed (warnings allowed), 1 when a check failed.
    `,
    examples: [
      ['Check everything', '$0 doctor'],
      ['As JSON, for scripts', '$0 doctor --json'],
      ['Also send each backend a tiny prompt (costs tokens)', '$0 doctor --live'],
    ],
  });
  json = Option.Boolean('--json', false, { description: 'Print the report as JSON: { ok, version, checks: [{ id, status, message, fix, backend, details }] }' });
  live = Option.Boolean('--live', false, { description: 'Also send one tiny real prompt to each backend found (costs tokens)' });

  async execute(): Promise<number> {
    let rt: NodeRuntime | undefined;
    try {
      // The runtime only runs the live prompts; an invalid config is one of the doctor's findings, not a stop.
      if (this.live) rt = await this.runtime().catch(() => undefined);
      const { runDoctor } = await import('../../runtime/node/doctor/index.ts');
      const { value: report, interrupted } = await interruptible((signal) =>
        runDoctor({ env: process.env, cwd: process.cwd(), ...(this.config !== undefined ? { configPath: this.config } : {}), live: this.live, ...(rt ? { run: rt.run } : {}), signal }),
      );
      if (interrupted) return EXIT.cancelled;
      if (this.json) this.context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        const { renderDoctor } = await import('../render/doctor.ts');
        this.context.stdout.write(renderDoctor(report, isTty(this.context.stdout) && !process.env.NO_COLOR));
      }
      return report.ok ? EXIT.ok : EXIT.general;
    } catch (err) {
      return reportError(err, this.context.stderr);
    } finally {
      await rt?.close();
    }
  }
}
