#!/usr/bin/env node
// Installs the real agent CLIs for the real-CLI suite: the versions pinned in test/real/versions.json
// (or the newest published ones with --latest) into $CLINVK_REAL_CLIS_DIR, else .cache/real-clis
// (git-ignored), with npm. Idempotent: when the pinned versions are already there it only says so.
//   node scripts/real-clis.mjs [--latest] [--check]
//   --check: install nothing; exit 1 when a pinned version is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dir = resolve(root, process.env.CLINVK_REAL_CLIS_DIR || '.cache/real-clis');
const latest = process.argv.includes('--latest');
const checkOnly = process.argv.includes('--check');
const pinned = Object.fromEntries(Object.entries(JSON.parse(readFileSync(join(root, 'test/real/versions.json'), 'utf8'))).filter(([k]) => !k.startsWith('//')));

const installedVersion = (pkg) => {
  try {
    return JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
};

const report = () => Object.keys(pinned).map((pkg) => `${pkg}@${installedVersion(pkg) ?? '(missing)'}`).join(', ');
const wrong = Object.entries(pinned).filter(([pkg, v]) => installedVersion(pkg) !== v);

if (!latest && wrong.length === 0) {
  console.log(`real CLIs: pinned versions already in ${dir}: ${report()}`);
  process.exit(0);
}
if (checkOnly) {
  console.log(`real CLIs: not the pinned versions in ${dir}: ${wrong.map(([p, v]) => `${p} wants ${v}, has ${installedVersion(p) ?? 'none'}`).join('; ')}`);
  process.exit(1);
}

mkdirSync(dir, { recursive: true });
// A package.json of its own, so npm installs here and not into the nearest project above.
if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'clinvk-real-clis', private: true }, null, 2));
const specs = Object.entries(pinned).map(([pkg, v]) => `${pkg}@${latest ? 'latest' : v}`);
console.log(`real CLIs: npm install ${specs.join(' ')} in ${dir}`);
const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--save-exact', '--prefix', dir, ...specs], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`real CLIs: npm install failed (exit ${r.status}); the real-CLI suite will skip the CLIs it cannot find`);
  process.exit(r.status ?? 1);
}
console.log(`real CLIs: ${report()}`);
