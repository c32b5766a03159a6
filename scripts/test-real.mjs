#!/usr/bin/env node
// `npm run test:real [-- --latest] [-- <vitest args>]`: install the real CLIs (pinned, or the newest with
// --latest; fast when already there), build clinvk, run the real-CLI suite (test/real/vitest.config.ts).
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const latest = args.includes('--latest');
const rest = args.filter((a) => a !== '--latest');
const step = (cmd, argv) => {
  const r = spawnSync(cmd, argv, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step(process.execPath, ['scripts/real-clis.mjs', ...(latest ? ['--latest'] : [])]);
step(process.execPath, ['scripts/build.mjs']);
step('npx', ['vitest', 'run', '-c', 'test/real/vitest.config.ts', ...rest]);
