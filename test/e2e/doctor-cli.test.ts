// `clinvk doctor` as a user runs it: the built CLI over the fake CLIs, human output and --json,
// exit codes, --live, and its help.
import { beforeAll, describe, expect, it } from 'vitest';
import { machine } from '../node/doctor-helpers.ts';
import { clinvk, ensureBuilt } from './cli-helpers.ts';

beforeAll(() => ensureBuilt());

const run = (args: string[], env: Record<string, string>) => clinvk(args, { env: { ...env, NO_COLOR: '1' }, cwd: env.HOME! });

describe('clinvk doctor', () => {
  it('all good: ✓ lines, "Everything is ready.", exit 0', async () => {
    const m = machine();
    const r = await run(['doctor'], m.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^clinvk \S+ doctor$/);
    expect(lines.filter((l) => l.startsWith('✓ ')).length).toBe(10);
    expect(r.stdout).toMatch(/^✓ claude is logged in \(api_key via ANTHROPIC_API_KEY\)$/m);
    expect(r.stdout).toMatch(/\nEverything is ready\.\n$/);
    expect(r.stdout).not.toMatch(/\x1b\[/); // no colours off a terminal
  });

  it('a missing default backend and a too-old one: ✗ and ! lines each with a fix, a count, exit 1', async () => {
    const m = machine({ env: { FAKE_CODEX_VERSION: '0.1.0' } });
    const r = await run(['doctor'], { ...m.env, CLINVK_BACKEND: 'codex', FAKE_LOGGED_OUT: 'codex' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^! codex 0\.1\.0 at .* is older than the tested [\d.]+\n {2}→ update it: npm i -g @openai\/codex@[\d.]+$/m);
    expect(r.stdout).toMatch(/^✗ codex is not logged in \(codex login status\)\n {2}→ run `codex login`/m);
    expect(r.stdout).toMatch(/\n1 problem, 1 warning: see the lines marked ✗ and ! above\.\n$/);
  });

  it('--json: the report for scripts, and the same exit codes', async () => {
    const m = machine({ fakes: false });
    const r = await run(['doctor', '--json'], m.env);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c: { id: string }) => c.id === 'backend.claude')).toMatchObject({ status: 'fail', message: 'claude not found: claude was not found on PATH' });
    const ok = await run(['doctor', '--json'], machine().env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).ok).toBe(true);
  });

  it('an invalid config is a finding, not a crash', async () => {
    const m = machine();
    const r = await run(['doctor', '--config', `${m.home}/nope.yaml`], m.env);
    expect(r.code).toBe(0); // a --config that does not exist means the defaults, as for every command
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${m.home}/bad.yaml`, 'timeout_secs: [1\n');
    const bad = await run(['doctor', '--config', `${m.home}/bad.yaml`, '--live'], m.env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^✗ config is not valid: ~\/bad\.yaml: line \d+: /m);
    expect(bad.stdout).toMatch(/^  → fix the YAML syntax/m);
    expect(bad.stdout).toMatch(/^– no live prompts: the config is not valid$/m);
  });

  it('--live sends each backend a tiny prompt', async () => {
    const m = machine({ env: { FAKE_CHUNK_DELAY_MS: '1' } });
    const r = await run(['doctor', '--live'], m.env);
    expect(r.code).toBe(0);
    for (const b of ['claude', 'codex', 'gemini']) expect(r.stdout).toMatch(new RegExp(`^✓ ${b} answered a live prompt in [\\d.]+ s: "Hello from fake ${b}`, 'm'));
  });

  it('--help says what it checks, the exit codes and what --live costs; the overview lists it', async () => {
    const m = machine();
    const help = await run(['doctor', '--help'], m.env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Check that clinvk and the backend CLIs are ready to run/);
    expect(help.stdout).toMatch(/--live/);
    expect(help.stdout).toMatch(/costs tokens/);
    expect(help.stdout).toMatch(/Exit code: 0 when nothing failed/);
    const all = await run(['--help'], m.env);
    expect(all.stdout).toMatch(/clinvk doctor \[--config #0\] \[--json\] \[--live\]\n +Check that clinvk and the backend CLIs are ready to run/);
  });
});
