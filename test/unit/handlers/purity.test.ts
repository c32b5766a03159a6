// Handlers run in workerd too: nothing under handlers/ may import node:*, the Node-only packages,
// or runtime/node (ARCHITECTURE.md rule 1). tsconfig.handlers.json checks types; this checks imports.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FORBIDDEN = /\bfrom\s+['"](node:[^'"]+|pino[^'"]*|prom-client|tinyexec|proper-lockfile|[^'"]*runtime\/node\/[^'"]*)['"]|\bimport\(\s*['"](node:|pino|prom-client|tinyexec|proper-lockfile)/;

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (e.name.endsWith('.ts')) yield p;
  }
}

describe('handlers are pure', () => {
  it('no file under handlers/ imports node:*, Node-only packages or runtime/node', () => {
    const offenders = [...tsFiles(join(ROOT, 'handlers'))].filter((f) => FORBIDDEN.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});
