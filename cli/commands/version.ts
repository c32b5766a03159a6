// `clinvk version`: ours, and each backend's when it is installed.
import { Command } from 'clipanion';
import { CLINVK_VERSION } from '../../runtime/version.ts';
import { reportError } from '../context.ts';
import { ConfigCommand } from '../options.ts';

export class VersionCommand extends ConfigCommand {
  static override paths = [['version']];
  static override usage = Command.Usage({ description: 'Print the clinvk version and each installed backend\'s version', examples: [['Versions', '$0 version']] });
  async execute(): Promise<number> {
    this.context.stdout.write(`clinvk ${CLINVK_VERSION}\n`);
    try {
      const rt = await this.runtime();
      for (const b of await rt.backends()) {
        const state = b.available ? (b.version ?? 'installed') : `not available${b.reason ? ` (${b.reason})` : ''}`;
        this.context.stdout.write(`  ${b.name.padEnd(7)} ${state}\n`);
      }
      return 0;
    } catch (err) {
      return reportError(err, this.context.stderr);
    }
  }
}
