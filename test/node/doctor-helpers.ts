// A scratch machine for the doctor's tests: a private HOME, a bin folder with `node` (and, when asked,
// a fake `bwrap`), the fake CLIs on PATH or not, and an environment built from nothing, so no real
// credential of the machine running the tests leaks in.
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pinned from '../real/versions.json' with { type: 'json' };

export const FAKES = resolve('test/fixtures/fake-clis');
export const TESTED = { claude: pinned['@anthropic-ai/claude-code'], codex: pinned['@openai/codex'], gemini: pinned['@google/gemini-cli'] };

export interface Machine {
  home: string;
  bin: string;
  env: Record<string, string>;
}

export function machine(opts: { fakes?: boolean; bwrap?: 'works' | 'broken' | 'none'; env?: Record<string, string> } = {}): Machine {
  const home = mkdtempSync(join(tmpdir(), 'clinvk-doctor-'));
  const bin = join(home, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const bwrap = opts.bwrap ?? 'works';
  if (bwrap !== 'none') {
    const body = bwrap === 'works' ? 'exit 0' : 'echo "bwrap: No permissions to create a new namespace" >&2; exit 1';
    writeFileSync(join(bin, 'bwrap'), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, 'bwrap'), 0o755);
  }
  const env: Record<string, string> = {
    HOME: home,
    CLINVK_HOME: join(home, '.clinvk'),
    PATH: [...(opts.fakes === false ? [] : [FAKES]), bin].join(':'),
    FAKE_CLAUDE_VERSION: TESTED.claude,
    FAKE_CODEX_VERSION: TESTED.codex,
    FAKE_GEMINI_VERSION: TESTED.gemini,
    GEMINI_API_KEY: 'test-key',
    ...opts.env,
  };
  return { home, bin, env };
}

/** A stand-in CLI in the machine's bin folder. */
export function script(m: Machine, name: string, body: string): string {
  const p = join(m.bin, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}
