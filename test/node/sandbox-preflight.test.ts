// gemini's container sandbox (sandbox_mode workspace → `--sandbox`) is checked before gemini starts:
// without a working docker or podman the run fails at once with a message that says so, instead of
// gemini's bare "Failed to relaunch the CLI process".
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../runtime/config.ts';
import type { RunResult, SpawnEvent, SpawnSpec, Spawner } from '../../runtime/contract.ts';
import { createNodeRuntime } from '../../runtime/node/index.ts';
import { withSandboxPreflight, type PreflightDeps } from '../../runtime/node/sandbox-preflight.ts';

const spec = (over: Partial<SpawnSpec> = {}): SpawnSpec => ({ command: '/usr/bin/gemini', args: ['--output-format', 'stream-json', '--sandbox', '--prompt=hi'], cwd: '/w', env: {}, ...over });

function inner(): Spawner & { specs: SpawnSpec[] } {
  const specs: SpawnSpec[] = [];
  return {
    specs,
    async *spawn(s) {
      specs.push(s);
      yield { type: 'start', pid: 1 };
      yield { type: 'exit', code: 0, signal: null };
    },
  };
}

async function events(sp: Spawner, s: SpawnSpec): Promise<SpawnEvent[]> {
  const out: SpawnEvent[] = [];
  for await (const e of sp.spawn(s)) out.push(e);
  return out;
}

function deps(onPath: string[], infoCode: number | undefined, calls: string[] = []): PreflightDeps {
  return {
    which: async (c) => (onPath.includes(c) ? `/usr/bin/${c}` : undefined),
    info: async (c) => {
      calls.push(c);
      return infoCode === undefined ? undefined : { exitCode: infoCode, stdout: '', stderr: infoCode ? 'Client:\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n' : '' };
    },
  };
}

describe('withSandboxPreflight', () => {
  it('docker on PATH without a daemon: the run ends with exit 1 and a message on stderr; gemini is never started', async () => {
    const base = inner();
    const ev = await events(withSandboxPreflight(base, deps(['docker'], 1)), spec());
    expect(base.specs).toEqual([]);
    expect(ev).toEqual([
      {
        type: 'stderr',
        chunk:
          "clinvk: gemini's sandbox (sandbox_mode workspace) runs gemini in a docker container, and `docker info` fails here (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?); start the container daemon (or install podman), or run gemini with sandbox_mode \"default\" or \"full\".\n",
      },
      { type: 'exit', code: 1, signal: null },
    ]);
  });

  it('neither docker nor podman: says so', async () => {
    const ev = await events(withSandboxPreflight(inner(), deps([], 0)), spec());
    expect((ev[0] as { chunk: string }).chunk).toMatch(/runs gemini in a docker or podman container, and neither is on PATH/);
  });

  it('a working container runtime (docker, else podman) lets gemini start', async () => {
    for (const onPath of [['docker'], ['podman']]) {
      const base = inner();
      const calls: string[] = [];
      await events(withSandboxPreflight(base, deps(onPath, 0, calls)), spec());
      expect(base.specs).toHaveLength(1);
      expect(calls).toEqual(onPath);
    }
  });

  it('$GEMINI_SANDBOX picks the command (as gemini does); one gemini picks itself is not checked', async () => {
    const calls: string[] = [];
    const ev = await events(withSandboxPreflight(inner(), deps(['docker', 'podman'], 1, calls)), spec({ env: { GEMINI_SANDBOX: 'podman' } }));
    expect(calls).toEqual(['podman']);
    expect((ev[0] as { chunk: string }).chunk).toMatch(/podman container, and `podman info` fails/);
    const base = inner();
    await events(withSandboxPreflight(base, deps([], 1)), spec({ env: { GEMINI_SANDBOX: 'sandbox-exec' } }));
    expect(base.specs).toHaveLength(1);
  });

  it('other runs go straight through: gemini without --sandbox, and other backends', async () => {
    const calls: string[] = [];
    const base = inner();
    const sp = withSandboxPreflight(base, deps([], 1, calls));
    await events(sp, spec({ args: ['--output-format', 'stream-json', '--prompt=--sandbox'] }));
    await events(sp, spec({ command: '/usr/bin/codex', args: ['exec', '--sandbox', 'workspace-write'] }));
    expect(base.specs).toHaveLength(2);
    expect(calls).toEqual([]);
  });

  it('asks `info` once a minute, not once a run', async () => {
    const calls: string[] = [];
    let now = 0;
    const sp = withSandboxPreflight(inner(), { ...deps(['docker'], 1, calls), now: () => now });
    await events(sp, spec());
    await events(sp, spec());
    expect(calls).toHaveLength(1);
    now = 61_000;
    await events(sp, spec());
    expect(calls).toHaveLength(2);
  });
});

describe('a gemini run with sandbox_mode workspace, through the Node runtime', () => {
  it('fails with that message when the docker on PATH has no daemon, and the fake gemini never starts', async () => {
    const home = mkdtempSync(join(tmpdir(), 'clinvk-preflight-'));
    const bin = join(home, 'bin');
    mkdirSync(bin);
    // A docker client without a daemon, as on this machine.
    writeFileSync(join(bin, 'docker'), '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1\n');
    chmodSync(join(bin, 'docker'), 0o755);
    const log = join(home, 'fake.log');
    const env = { PATH: `${bin}:${resolve('test/fixtures/fake-clis')}:${process.env.PATH}`, HOME: home, CLINVK_HOME: join(home, '.clinvk'), FAKE_LOG: log, FAKE_CHUNK_DELAY_MS: '0' };
    const rt = await createNodeRuntime({ env, cwd: home, config: defaultConfig(), logLevel: 'silent' });
    let result: RunResult | undefined;
    for await (const e of rt.run({ backend: 'gemini', prompt: 'hi', workdir: home, sandboxMode: 'workspace', ephemeral: true })) if (e.type === 'done') result = e.result;
    expect(result?.error?.message).toMatch(/gemini's sandbox \(sandbox_mode workspace\) runs gemini in a docker container, and `docker info` fails here \(Cannot connect to the Docker daemon/);
    expect(existsSync(log) ? readFileSync(log, 'utf8') : '').not.toMatch(/"phase":"start"/);
    // The same runtime without the sandbox runs the fake gemini.
    for await (const e of rt.run({ backend: 'gemini', prompt: 'hi', workdir: home, ephemeral: true })) if (e.type === 'done') result = e.result;
    expect(result?.error).toBeUndefined();
    await rt.close();
  });
});
