// The `clinvk` entry. Does nothing at import: `--version` answers before anything loads, and each
// command loads its heavy modules (runtime, server, MCP SDK) inside execute().
import { CLINVK_VERSION } from '../runtime/version.ts';

async function main(argv: string[]): Promise<void> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${CLINVK_VERSION}\n`);
    return;
  }
  const { runCli } = await import('./app.ts');
  process.exitCode = await runCli(argv);
}

void main(process.argv.slice(2));
