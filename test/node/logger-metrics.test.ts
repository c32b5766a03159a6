import { mkdtemp, rm, symlink, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv } from '../../runtime/node/child-env.ts';
import { createLogger } from '../../runtime/node/logger.ts';
import { createMetrics } from '../../runtime/node/metrics.ts';
import { createVersionProbe, createWhich } from '../../runtime/node/which.ts';

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(c, _e, cb) {
      chunks.push(String(c));
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('logger', () => {
  it('server mode: JSON lines with secrets redacted', () => {
    const s = sink();
    const log = createLogger({ mode: 'server', level: 'info', destination: s.stream });
    log.info({ headers: { authorization: 'Bearer sk-1', 'x-api-key': 'k2', accept: 'json' }, apiKey: 'k3', cfg: { token: 't4', api_key: 'k5' } }, 'req');
    log.child({ req: 1 }).warn({ req: { headers: { authorization: 'Bearer sk-6' } } }, 'child');
    log.debug({}, 'hidden');
    const lines = s.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(s.text()).not.toMatch(/sk-1|k2|k3|t4|k5|sk-6/);
    expect(lines[0]).toMatchObject({ msg: 'req', app: 'clinvk', headers: { accept: 'json', authorization: '[REDACTED]' } });
  });

  it('cli mode: readable lines, warn by default', () => {
    const s = sink();
    const log = createLogger({ mode: 'cli', destination: s.stream });
    log.info({}, 'quiet');
    log.warn({ apiKey: 'secret-x' }, 'loud');
    expect(s.text()).toContain('loud');
    expect(s.text()).not.toContain('quiet');
    expect(s.text()).not.toContain('secret-x');
    expect(s.text()).not.toMatch(/^\{/);
  });
});

describe('metrics', () => {
  it('creates metrics on first use and renders Prometheus text', async () => {
    const m = createMetrics();
    m.inc('clinvk_requests_total', { method: 'GET', route: '/health', status: '200' });
    m.inc('clinvk_requests_total', { method: 'GET', route: '/health', status: '200' }, 2);
    m.inc('clinvk_requests_total', { method: 'POST', extra: 'dropped' } as Record<string, string>);
    m.observe('clinvk_backend_execution_duration_seconds', 1.5, { backend: 'claude' });
    m.gauge('clinvk_runs_in_flight', 3);
    m.inc('bad name!'); // ignored, never throws
    const text = await m.render();
    expect(text).toContain('# HELP clinvk_requests_total HTTP requests served');
    expect(text).toContain('clinvk_requests_total{method="GET",route="/health",status="200"} 3');
    expect(text).toContain('clinvk_requests_total{method="POST",route="",status=""} 1');
    expect(text).toContain('clinvk_backend_execution_duration_seconds_count{backend="claude"} 1');
    expect(text).toContain('clinvk_runs_in_flight 3');
    expect(m.contentType).toMatch(/text\/plain/);
  });
});

describe('child env and which', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clinvk-which-'));
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin', 'tool'), '#!/bin/sh\necho "tool 9.9.1"\n');
    await chmod(join(dir, 'bin', 'tool'), 0o755);
    await writeFile(join(dir, 'bin', 'noexec'), 'x');
    await symlink(join(dir, 'bin', 'tool'), join(dir, 'bin', 'alias'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('drops nested-agent markers and our API keys, keeps the rest', () => {
    const env = childEnv({ PATH: '/bin', CLAUDECODE: '1', CLAUDE_CODE_ENTRYPOINT: 'cli', CODEX_SANDBOX: 'seatbelt', CODEX_SANDBOX_NETWORK_DISABLED: '1', GEMINI_CLI: '1', CLINVK_API_KEYS: 'k', CLINVK_API_KEYS_FILE: '/k', ANTHROPIC_API_KEY: 'a', X: undefined });
    expect(env).toEqual({ PATH: '/bin', ANTHROPIC_API_KEY: 'a' });
  });

  it('finds executables on PATH, by absolute or relative path, and caches', async () => {
    let t = 0;
    const which = createWhich({ env: { PATH: `/nonexistent:${join(dir, 'bin')}` }, cwd: dir, now: () => t });
    expect(await which('tool')).toBe(join(dir, 'bin', 'tool'));
    expect(await which('alias')).toBe(join(dir, 'bin', 'alias'));
    expect(await which('noexec')).toBeUndefined();
    expect(await which('./bin/tool')).toBe(join(dir, 'bin', 'tool'));
    expect(await which(join(dir, 'bin', 'tool'))).toBe(join(dir, 'bin', 'tool'));
    expect(await which('later')).toBeUndefined();
    await writeFile(join(dir, 'bin', 'later'), '#!/bin/sh\n', { mode: 0o755 });
    expect(await which('later')).toBeUndefined(); // cached
    t = 31_000;
    expect(await which('later')).toBe(join(dir, 'bin', 'later'));
  });

  it('version probe returns the first line, undefined on failure', async () => {
    const version = createVersionProbe();
    expect(await version(join(dir, 'bin', 'tool'))).toBe('tool 9.9.1');
    expect(await version(join(dir, 'bin', 'nope'))).toBeUndefined();
  });
});
