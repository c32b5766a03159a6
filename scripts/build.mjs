// Builds dist/ so `clinvk` starts fast: no TypeScript at run time, nothing loaded that the command
// does not use. Node 20 starts a CommonJS file ~4 ms sooner than an ES module (the ESM loader is not
// set up), so the two hot paths are CommonJS files of one piece each:
//   dist/clinvk.cjs        the bin: `--version`, and reading a plain `clinvk [flags] "prompt"` or
//                          `clinvk sessions list` (quick-argv.ts)
//   dist/prompt.cjs        that prompt's run: cli/prompt-main.ts and the whole runtime it needs
//   dist/sessions-list.cjs that listing: cli/sessions-list.ts and the session store
//   dist/lazy/*.cjs        what those load only when used (yaml, the config schema, locks, metrics, Ajv)
//   handlers/console/assets.gen.js  the web console's page, built first (scripts/build-console.mjs)
//   dist/cli/app.mjs       clipanion and every other command, as ES modules split into chunks, so the
//                          heavy parts (server, MCP, SDK code) load only when their command runs
// clinvk.cjs loads prompt.cjs and sessions-list.cjs through V8's code cache (cli/compiled-require.ts).
// Each file of one piece carries its own copy of the pure modules it uses (contract.ts, …); a process
// only ever runs one of the two trees (quick path or clipanion), so no state is shared between copies.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { buildConsole } from './build-console.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
// First: the web console's assets, which `clinvk serve` (dist/cli chunks) and the Worker embed.
await buildConsole();

/**
 * runtime/config.ts gets its own tree-shaken copy of zod/mini. Otherwise code splitting puts zod's
 * core in a chunk it shares with classic zod (server, MCP), together with all 60-odd locales that core
 * re-exports: 665 KB parsed wherever the config schema is, where the functions config.ts calls come to
 * ~45 KB. The copy only validates the config file, so nothing mixes its schemas with classic ones.
 */
async function zodMiniCopy() {
  const zm = await import('zod/mini');
  const used = [...readFileSync(new URL('../runtime/config.ts', import.meta.url), 'utf8').matchAll(/\bz\.(\w+)/g)].map((m) => m[1]);
  const names = [...new Set(used)].filter((n) => n !== 'locales' && typeof zm[n] === 'function');
  const out = await build({
    stdin: { contents: `export { ${names.join(', ')} } from 'zod/mini';\nimport en from 'zod/v4/locales/en.js';\nexport const locales = { en };\n`, resolveDir: '.', loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  const contents = out.outputFiles[0].text;
  return {
    name: 'zod-mini-copy',
    setup(b) {
      b.onResolve({ filter: /^zod\/mini$/ }, () => ({ path: 'zod-mini', namespace: 'zod-mini-copy' }));
      b.onLoad({ filter: /.*/, namespace: 'zod-mini-copy' }, () => ({ contents, loader: 'js' }));
    },
  };
}

/** Imports of `modules` (matched by the end of the import path) load `file`, built apart, instead. */
function loadsApart(modules) {
  return {
    name: 'loads-apart',
    setup(b) {
      for (const [ending, file] of Object.entries(modules)) {
        const filter = new RegExp(`(^|/)${ending.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
        b.onResolve({ filter }, () => ({ path: file, external: true }));
      }
    },
  };
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  define: { __CLINVK_VERSION__: JSON.stringify(pkg.version) },
  // Required lazily at run time from node_modules (runtime/node/logger.ts): not parsed on every start.
  external: ['pino', 'pino-pretty'],
  logLevel: 'warning',
  legalComments: 'none',
};
// The CommonJS files: logger.ts makes its `require` from import.meta.url, which CommonJS spells __filename.
const commonjs = { ...common, format: 'cjs', define: { ...common.define, 'import.meta.url': '__filename' } };

await Promise.all([
  build({
    ...commonjs,
    entryPoints: { prompt: 'cli/prompt-main.ts', 'sessions-list': 'cli/sessions-list.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    // import() would start the ESM loader; every file loaded from here is CommonJS, so require them.
    supported: { 'dynamic-import': false },
    plugins: [
      loadsApart({
        'yaml.ts': './lazy/yaml.cjs',
        'config-validate.ts': './lazy/config-validate.cjs',
        'metrics.ts': './lazy/metrics.cjs',
        'proper-lockfile': './lazy/proper-lockfile.cjs',
        'schema-check.ts': './lazy/schema-check.cjs', // Ajv, only for a run with an output schema
      }),
    ],
  }),
  build({
    ...commonjs,
    entryPoints: {
      yaml: 'runtime/node/yaml.ts',
      'config-validate': 'runtime/node/config-validate.ts',
      metrics: 'runtime/node/metrics.ts',
      'proper-lockfile': 'proper-lockfile',
      'schema-check': 'runtime/structured/schema-check.ts',
    },
    outdir: 'dist/lazy',
    outExtension: { '.js': '.cjs' },
    plugins: [await zodMiniCopy()],
  }),
  build({
    ...common,
    entryPoints: { app: 'cli/app.ts' },
    outdir: 'dist/cli',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    format: 'esm',
    chunkNames: 'chunks/[name]-[hash]',
    // Bundled CommonJS dependencies (yaml, …) call require(); give ES module chunks one.
    banner: { js: "import { createRequire as __clinvkCreateRequire } from 'node:module';\nconst require = __clinvkCreateRequire(import.meta.url);" },
    plugins: [await zodMiniCopy()],
  }),
]);

/** A hash of the CommonJS files the bin loads through V8's code cache: the cache's name carries it. */
function buildId() {
  const hash = createHash('sha256');
  const files = ['dist/prompt.cjs', 'dist/sessions-list.cjs', ...readdirSync('dist/lazy').sort().map((f) => `dist/lazy/${f}`)];
  for (const f of files) hash.update(f).update(readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}

// Last: the bin names the build of the files above.
await build({
  ...commonjs,
  entryPoints: { clinvk: 'cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  banner: { js: '#!/usr/bin/env node' },
  define: { ...commonjs.define, __CLINVK_BUILD_ID__: JSON.stringify(buildId()) },
  // main.ts loads prompt.cjs and sessions-list.cjs by name, with V8's code cache (cli/compiled-require.ts).
  plugins: [loadsApart({ 'app.ts': './cli/app.mjs' })],
});
// Runnable as ./dist/clinvk.cjs too (npm sets the bit itself when it links the bin).
chmodSync('dist/clinvk.cjs', 0o755);
