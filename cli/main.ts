// The `clinvk` entry (built as dist/clinvk.cjs). Does nothing at import: `--version` answers before
// anything loads, a plain `clinvk [flags] "prompt"` or `clinvk sessions list` runs without clipanion
// (quick-argv.ts), and every other command goes through clipanion and loads its heavy modules
// (server, MCP SDK) when it runs.
import { join } from 'node:path';
import { clinvkHome } from '../runtime/node/home.ts';
import { CLINVK_VERSION } from '../runtime/version.ts';
import { requireCompiled } from './compiled-require.ts';
import { promptFrom } from './context.ts';
import { quickArgv } from './quick-argv.ts';

/** Set by scripts/build.mjs: a hash of the CommonJS files, naming their code cache. */
declare const __CLINVK_BUILD_ID__: string | undefined;

/**
 * A CommonJS file the build puts next to this one (scripts/build.mjs), loaded with require rather than
 * import(), which would start Node's ESM loader (~4 ms) for nothing. CLINVK_NO_COMPILE_CACHE=1 turns
 * the code cache off.
 */
const requireQuick = (name: string): unknown =>
  requireCompiled(
    join(__dirname, name),
    process.env.CLINVK_NO_COMPILE_CACHE === '1' || typeof __CLINVK_BUILD_ID__ !== 'string'
      ? undefined
      : { dir: join(clinvkHome(process.env), 'cache'), buildId: __CLINVK_BUILD_ID__ },
  );

async function main(argv: string[]): Promise<void> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${CLINVK_VERSION}\n`);
    return;
  }
  const quick = quickArgv(argv);
  if (quick?.command === 'sessions list') {
    const { listSessions } = requireQuick('sessions-list.cjs') as typeof import('./sessions-list.ts');
    process.exitCode = await listSessions(quick.flags, process);
    return;
  }
  if (quick?.command === 'prompt') {
    const prompt = await promptFrom(quick.words, process.stdin);
    if (prompt) {
      const { promptMain } = requireQuick('prompt.cjs') as typeof import('./prompt-main.ts');
      process.exitCode = await promptMain(quick.flags, prompt, process);
      return;
    }
    // No prompt (none on a terminal, or an empty pipe, now read to its end): clipanion reads the same
    // argv and answers with its usage error.
  }
  const { runCli } = await import('./app.ts');
  process.exitCode = await runCli(argv);
}

void main(process.argv.slice(2));
