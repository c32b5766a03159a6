// `clinvk serve [--host] [--port]`: the HTTP server (REST, OpenAI- and Anthropic-compatible APIs,
// MCP at /mcp). Heavy modules load inside execute() so other commands start fast.
import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { reportError } from '../context.ts';
import { ConfigCommand } from '../options.ts';

export class ServeCommand extends ConfigCommand {
  static override paths = [['serve']];
  static override usage = Command.Usage({
    description: 'Run the HTTP server: REST /api/v1, OpenAI /openai/v1, Anthropic /anthropic/v1, MCP /mcp',
    details: `
      Binds to server.host:server.port from the config (default 127.0.0.1:8080). API keys come from
      CLINVK_API_KEYS (comma list) or CLINVK_API_KEYS_FILE, never from the config file; without keys
      anyone who can reach the port can run agents, so keep the default loopback address or set keys.
      The keys are removed from the environment at start, so no backend inherits them. A request's Host
      must be localhost, an IP address, the --host name or one of server.allowed_hosts (DNS rebinding;
      \`allowed_hosts: ["*"]\` turns that off behind a proxy that rewrites Host).
      \`--port 0\` picks a free port and prints it. Ctrl-C (or SIGTERM) stops accepting, lets runs
      finish for a while, then cancels them.
    `,
    examples: [
      ['Serve on the default address', '$0 serve'],
      ['Serve on all interfaces, port 9000', 'CLINVK_API_KEYS=secret $0 serve --host 0.0.0.0 --port 9000'],
      ['Pick a free port', '$0 serve --port 0'],
    ],
  });

  host = Option.String('--host', { description: 'Address to bind (default: server.host)' });
  port = Option.String('--port', { description: 'Port (default: server.port; 0 = any free port)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 65535)]) });

  async execute(): Promise<number> {
    try {
      return await this.serve();
    } catch (err) {
      return reportError(err, this.context.stderr); // bad config (3), port in use, …
    }
  }

  private async serve(): Promise<number> {
    const { startServer } = await import('./serve-start.ts');
    const started = await startServer({
      env: process.env,
      cwd: process.cwd(),
      ...(this.config !== undefined ? { configPath: this.config } : {}),
      ...(this.host !== undefined ? { host: this.host } : {}),
      ...(this.port !== undefined ? { port: this.port } : {}),
      out: (line) => this.context.stdout.write(`${line}\n`),
      err: (line) => this.context.stderr.write(`${line}\n`),
    });
    await started.stopped;
    return 0;
  }
}
