// The `clinvk` entry (built as dist/clinvk.cjs). Does nothing at import: `--version` answers before
// anything loads, a plain `clinvk [flags] "prompt"` or `clinvk sessions list` runs without clipanion
// (quick-argv.ts), and every other command goes through clipanion and loads its heavy modules
// (server, MCP SDK) when it runs.
import { CLINVK_VERSION } from '../runtime/version.ts';
import { quickArgv } from './quick-argv.ts';

async function main(argv: string[]): Promise<void> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${CLINVK_VERSION}\n`);
    return;
  }
  // require, not import(): the build makes these CommonJS files (dist/prompt.cjs, dist/sessions-list.cjs),
  // and import() would start Node's ESM loader (~4 ms) for nothing.
  const quick = quickArgv(argv);
  if (quick?.command === 'prompt') {
    const { promptMain } = require('./prompt-main.ts') as typeof import('./prompt-main.ts');
    process.exitCode = await promptMain(quick.flags, quick.prompt, process);
    return;
  }
  if (quick?.command === 'sessions list') {
    const { listSessions } = require('./sessions-list.ts') as typeof import('./sessions-list.ts');
    process.exitCode = await listSessions(quick.flags, process);
    return;
  }
  const { runCli } = await import('./app.ts');
  process.exitCode = await runCli(argv);
}

void main(process.argv.slice(2));
