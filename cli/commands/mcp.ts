// `clinvk mcp`: the MCP server on stdio, for Claude Code, Claude Desktop and any MCP client.
// The SDK and the runtime load inside execute() so other commands don't pay for them.
import { Command, Option } from 'clipanion';

export class McpCommand extends Command {
  static override paths = [['mcp']];
  static override usage = Command.Usage({
    description: 'Run the MCP server on stdio (tools: clinvk_prompt, clinvk_compare, clinvk_chain, clinvk_parallel, clinvk_backends, clinvk_sessions)',
    details: `
      Speaks the Model Context Protocol on stdin/stdout; stdout carries nothing but protocol messages,
      logs go to stderr. An MCP client starts it, e.g. \`claude mcp add clinvk -- clinvk mcp\`. Text
      streams as progress notifications; cancelling a tool call kills the agent. The server stops when
      the client closes stdin. Agents run in the directory clinvk was started in unless a tool call
      passes \`workdir\`. The same tools are served over HTTP at /mcp by \`clinvk serve\`.
    `,
    examples: [
      ['Register with Claude Code', 'claude mcp add clinvk -- $0 mcp'],
      ['Use another config file', '$0 mcp --config ./clinvk.yaml'],
    ],
  });

  config = Option.String('--config', { description: 'Config file (default: ~/.clinvk/config.yaml)' });

  async execute(): Promise<number> {
    const { serveStdio } = await import('../../mcp/stdio.ts');
    await serveStdio({
      env: process.env,
      cwd: process.cwd(),
      stdin: this.context.stdin,
      stdout: this.context.stdout,
      ...(this.config !== undefined ? { configPath: this.config } : {}),
    });
    return 0;
  }
}
