// `clinvk config show|get|set`: the effective configuration and dot-key edits of the YAML file.
import { Command, Option } from 'clipanion';
import { reportError } from '../context.ts';
import { ConfigCommand } from '../options.ts';

export class ConfigShowCommand extends ConfigCommand {
  static override paths = [['config', 'show']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Print the effective configuration (file + environment + defaults) as YAML',
    examples: [['Show it', '$0 config show']],
  });
  async execute(): Promise<number> {
    try {
      const rt = await this.runtime();
      const { stringifyYaml } = await import('../../runtime/node/yaml.ts');
      this.context.stdout.write(`# ${rt.configPath}\n${stringifyYaml(rt.config)}`);
      return 0;
    } catch (err) {
      return reportError(err, this.context.stderr);
    }
  }
}

export class ConfigGetCommand extends ConfigCommand {
  static override paths = [['config', 'get']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Print one value by its dot key',
    examples: [['The claude model', '$0 config get backends.claude.model']],
  });
  key = Option.String({ name: 'key' });
  async execute(): Promise<number> {
    try {
      const rt = await this.runtime();
      const { getConfigValue } = await import('../../runtime/node/config-edit.ts');
      const value = getConfigValue(rt.config, this.key);
      this.context.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
      return 0;
    } catch (err) {
      return reportError(err, this.context.stderr);
    }
  }
}

export class ConfigSetCommand extends ConfigCommand {
  static override paths = [['config', 'set']];
  static override usage = Command.Usage({
    category: 'Configuration',
    description: 'Set one value by its dot key (checked against the schema before the file is written)',
    examples: [
      ['Default to codex', '$0 config set default_backend codex'],
      ['A model per backend', '$0 config set backends.claude.model sonnet'],
      ['A list', '$0 config set server.cors_allowed_origins https://a.example,https://b.example'],
    ],
  });
  key = Option.String({ name: 'key' });
  value = Option.String({ name: 'value' });
  async execute(): Promise<number> {
    try {
      const { configPath } = await import('../../runtime/node/home.ts');
      const { setConfigValue } = await import('../../runtime/node/config-edit.ts');
      const path = configPath({ env: process.env, ...(this.config !== undefined ? { path: this.config } : {}) });
      await setConfigValue(path, this.key, this.value);
      this.context.stderr.write(`set ${this.key} in ${path}\n`);
      return 0;
    } catch (err) {
      return reportError(err, this.context.stderr);
    }
  }
}
