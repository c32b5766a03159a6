// Bundles the CLI into dist/ so `clinvk` starts fast: no TypeScript at run time, and the heavy
// parts (server, MCP, SDK code) live in chunks that load only when their command runs.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

/**
 * runtime/config.ts (read by every command) gets its own tree-shaken copy of zod/mini. Otherwise
 * code splitting puts zod's core in a chunk it shares with classic zod (server, MCP), together with
 * all 60-odd locales that core re-exports: 665 KB and ~18 ms on every `clinvk "prompt"`, where the
 * functions config.ts calls come to ~45 KB. The copy only validates the config file, so nothing
 * mixes its schemas with classic ones.
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

await build({
  entryPoints: { clinvk: 'cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __CLINVK_VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies (pino, yaml, …) call require(); give ESM chunks one.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __clinvkCreateRequire } from 'node:module';\nconst require = __clinvkCreateRequire(import.meta.url);",
  },
  // Required lazily at run time from node_modules (runtime/node/logger.ts): not parsed on every start.
  external: ['pino', 'pino-pretty'],
  plugins: [await zodMiniCopy()],
  logLevel: 'warning',
  legalComments: 'none',
});
