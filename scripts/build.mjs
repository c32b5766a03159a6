// Bundles the CLI into dist/ so `clinvk` starts fast: no TypeScript at run time, and the heavy
// parts (server, MCP, SDK code) live in chunks that load only when their command runs.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

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
  logLevel: 'warning',
  legalComments: 'none',
});
