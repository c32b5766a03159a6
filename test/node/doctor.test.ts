// The doctor's checks (runtime/node/doctor/) against the fake CLIs on a scratch machine: fine,
// missing, too old / newer, logged out, auth files and variables, codex's sandbox, config, sessions.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DoctorCheck, DoctorReport } from '../../runtime/contract.ts';
import { runDoctor } from '../../runtime/node/doctor/index.ts';
import { createNodeRuntime } from '../../runtime/node/index.ts';
import { machine, script, TESTED, type Machine } from './doctor-helpers.ts';

const doctor = (m: Machine, more: Partial<Parameters<typeof runDoctor>[0]> = {}) => runDoctor({ env: m.env, cwd: m.home, timeoutMs: 15_000, ...more });
const check = (r: DoctorReport, id: string): DoctorCheck => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${r.checks.map((x) => x.id).join(', ')}`);
  return c;
};
const statuses = (r: DoctorReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));

describe('clinvk doctor checks', () => {
  it('a machine where everything is in place: every check ok, in a fixed order', async () => {
    const m = machine();
    const r = await doctor(m);
    expect(statuses(r)).toEqual({
      node: 'ok', 'backend.claude': 'ok', 'auth.claude': 'ok', 'backend.codex': 'ok', 'auth.codex': 'ok', 'backend.gemini': 'ok', 'auth.gemini': 'ok',
      'sandbox.codex': 'ok', config: 'ok', sessions: 'ok',
    });
    expect(r.ok).toBe(true);
    const claude = check(r, 'backend.claude');
    expect(claude.message).toBe(`claude ${TESTED.claude} at ${join(m.env.PATH!.split(':')[0]!, 'claude')} (tested: ${TESTED.claude})`);
    expect(claude.details).toMatchObject({ version: TESTED.claude, tested: TESTED.claude, verdict: 'tested', default: true });
    expect(check(r, 'auth.claude').message).toBe('claude is logged in (api_key via ANTHROPIC_API_KEY)');
    expect(check(r, 'auth.codex').message).toBe('codex is logged in (API key configured)');
    expect(check(r, 'auth.codex').message).not.toMatch(/sk-/);
    expect(check(r, 'auth.gemini').message).toBe('gemini is logged in (gemini-api-key: GEMINI_API_KEY)');
    expect(check(r, 'config').message).toBe('no config file at ~/.clinvk/config.yaml: the defaults apply');
    expect(check(r, 'sessions').message).toBe('sessions folder ~/.clinvk/sessions is writable and its lock works');
    for (const c of r.checks) expect(c.fix).toBeUndefined();
  });

  it('missing CLIs: the default backend is a failure, the others warnings, each with how to install', async () => {
    const r = await doctor(machine({ fakes: false }));
    expect(r.ok).toBe(false);
    expect(check(r, 'backend.claude')).toMatchObject({ status: 'fail', message: 'claude not found: claude was not found on PATH' });
    expect(check(r, 'backend.claude').fix).toMatch(/npm i -g @anthropic-ai\/claude-code/);
    expect(check(r, 'backend.codex')).toMatchObject({ status: 'warn' });
    expect(check(r, 'backend.codex').fix).toMatch(/npm i -g @openai\/codex.*or turn it off: clinvk config set backends\.codex\.enabled false/);
    expect(check(r, 'backends')).toMatchObject({ status: 'fail', message: 'no backend CLI was found: clinvk has nothing to run' });
    // Nothing found, so no login, sandbox or live checks about them.
    expect(r.checks.map((c) => c.id)).not.toContain('auth.claude');
    expect(r.checks.map((c) => c.id)).not.toContain('sandbox.codex');
  });

  it('a version older or newer than the tested one is a warning naming the tested version and the install line', async () => {
    const r = await doctor(machine({ env: { FAKE_CODEX_VERSION: '0.100.0', FAKE_CLAUDE_VERSION: '9.0.0' } }));
    const codex = check(r, 'backend.codex');
    expect(codex.status).toBe('warn');
    expect(codex.message).toMatch(new RegExp(`^codex 0\\.100\\.0 at .* is older than the tested ${TESTED.codex.replace(/\./g, '\\.')}$`));
    expect(codex.fix).toBe(`update it: npm i -g @openai/codex@${TESTED.codex}`);
    const claude = check(r, 'backend.claude');
    expect(claude.status).toBe('warn');
    expect(claude.message).toMatch(/is newer than the tested/);
    expect(claude.fix).toBe(`if runs fail, install the tested version: npm i -g @anthropic-ai/claude-code@${TESTED.claude}`);
    expect(r.ok).toBe(true); // warnings only
  });

  it('a version the CLI will not tell is a warning, not a crash', async () => {
    const m = machine();
    script(m, 'gemini', 'exit 3');
    const r = await doctor({ ...m, env: { ...m.env, PATH: `${m.bin}:${m.env.PATH}` } });
    expect(check(r, 'backend.gemini')).toMatchObject({ status: 'warn' });
    expect(check(r, 'backend.gemini').message).toMatch(/did not tell its version/);
    expect(check(r, 'backend.gemini').fix).toMatch(/run `gemini --version` to see why/);
  });

  it('logged out: the status commands say so; the default backend fails, the others warn', async () => {
    const r = await doctor(machine({ env: { FAKE_LOGGED_OUT: '1', GEMINI_API_KEY: '' } }));
    expect(check(r, 'auth.claude')).toMatchObject({ status: 'fail', message: 'claude is not logged in (claude auth status)' });
    expect(check(r, 'auth.claude').fix).toMatch(/claude auth login.*ANTHROPIC_API_KEY/);
    expect(check(r, 'auth.codex')).toMatchObject({ status: 'warn', message: 'codex is not logged in (codex login status)' });
    expect(check(r, 'auth.codex').fix).toMatch(/codex login/);
    expect(check(r, 'auth.gemini')).toMatchObject({ status: 'warn' });
    expect(check(r, 'auth.gemini').message).toMatch(/gemini is not logged in: no auth type in ~\/\.gemini\/settings\.json/);
    expect(r.ok).toBe(false);
  });

  it('codex counts CODEX_API_KEY when its login status says no; the default backend is whatever the config says', async () => {
    const m = machine({ env: { FAKE_LOGGED_OUT: 'codex', CODEX_API_KEY: 'k' } });
    expect(check(await doctor(m), 'auth.codex')).toMatchObject({ status: 'ok', message: 'codex uses CODEX_API_KEY (codex login status: not logged in)' });
    const m2 = machine({ env: { FAKE_LOGGED_OUT: 'codex', CLINVK_BACKEND: 'codex' } });
    const r2 = await doctor(m2);
    expect(check(r2, 'auth.codex').status).toBe('fail');
    expect(check(r2, 'auth.claude').status).toBe('ok');
  });

  it('a claude without `auth status` falls back to its credentials file and variables', async () => {
    const m = machine();
    script(m, 'claude', `echo "${TESTED.claude} (Claude Code)"`);
    const env = { ...m.env, PATH: `${m.bin}:${m.env.PATH}` };
    expect(check(await doctor({ ...m, env }), 'auth.claude')).toMatchObject({ status: 'fail' });
    expect(check(await doctor({ ...m, env: { ...env, CLAUDE_CODE_OAUTH_TOKEN: 't' } }), 'auth.claude').message).toMatch(/claude credentials found: CLAUDE_CODE_OAUTH_TOKEN/);
    mkdirSync(join(m.home, '.claude'));
    writeFileSync(join(m.home, '.claude', '.credentials.json'), '{}');
    expect(check(await doctor({ ...m, env }), 'auth.claude')).toMatchObject({ status: 'ok', message: 'claude credentials found: ~/.claude/.credentials.json (claude auth status did not answer)' });
  });

  it('gemini: Google login needs its oauth_creds.json; Vertex needs its variables; a .env file counts', async () => {
    const m = machine({ env: { GEMINI_API_KEY: '' } });
    mkdirSync(join(m.home, '.gemini'));
    writeFileSync(join(m.home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'oauth-personal' } } }));
    expect(check(await doctor(m), 'auth.gemini').message).toBe('gemini is set to log in with Google but ~/.gemini/oauth_creds.json is missing');
    writeFileSync(join(m.home, '.gemini', 'oauth_creds.json'), '{}');
    expect(check(await doctor(m), 'auth.gemini')).toMatchObject({ status: 'ok', message: 'gemini is logged in (oauth-personal: ~/.gemini/oauth_creds.json)' });
    writeFileSync(join(m.home, '.gemini', 'settings.json'), '{}');
    const vertex = check(await doctor({ ...m, env: { ...m.env, GOOGLE_GENAI_USE_VERTEXAI: 'true' } }), 'auth.gemini');
    expect(vertex).toMatchObject({ status: 'warn' });
    expect(vertex.fix).toMatch(/GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION/);
    expect(check(await doctor({ ...m, env: { ...m.env, GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_API_KEY: 'k' } }), 'auth.gemini').status).toBe('ok');
    writeFileSync(join(m.home, '.gemini', '.env'), 'GEMINI_API_KEY="from-dotenv"\n');
    expect(check(await doctor(m), 'auth.gemini').message).toBe('gemini is logged in (gemini-api-key: GEMINI_API_KEY from a .env file)');
  });

  it("codex's sandbox: bwrap missing, or unable to make a sandbox, says what to install or allow", async () => {
    const none = check(await doctor(machine({ bwrap: 'none' })), 'sandbox.codex');
    expect(none).toMatchObject({ status: 'warn' });
    expect(none.message).toMatch(/bwrap \(bubblewrap\) is not on PATH/);
    expect(none.fix).toMatch(/apt-get install bubblewrap/);
    const broken = check(await doctor(machine({ bwrap: 'broken' })), 'sandbox.codex');
    expect(broken.message).toMatch(/cannot make a sandbox here: bwrap: No permissions to create a new namespace/);
    expect(broken.fix).toMatch(/unprivileged user namespaces/);
    expect(check(await doctor(machine(), { platform: 'darwin' }), 'sandbox.codex').status).toBe('skip');
  });

  it('an invalid config fails naming the file and the key, and the other checks still run', async () => {
    const m = machine();
    mkdirSync(m.env.CLINVK_HOME!, { recursive: true });
    writeFileSync(join(m.env.CLINVK_HOME!, 'config.yaml'), 'default_backend: claude\ntimeout_secs: nope\nbogus_key: 1\n');
    const r = await doctor(m);
    const c = check(r, 'config');
    expect(c.status).toBe('fail');
    expect(c.message).toMatch(/^config is not valid: ~\/\.clinvk\/config\.yaml: /);
    expect(c.message).toMatch(/bogus_key: unknown key/);
    expect(c.fix).toMatch(/move the file away/);
    expect(check(r, 'backend.claude').status).toBe('ok');
    expect(r.ok).toBe(false);
  });

  it('a backend turned off in the config is skipped, not a warning', async () => {
    const m = machine();
    mkdirSync(m.env.CLINVK_HOME!, { recursive: true });
    writeFileSync(join(m.env.CLINVK_HOME!, 'config.yaml'), 'backends:\n  gemini:\n    enabled: false\n');
    const r = await doctor(m);
    expect(check(r, 'backend.gemini')).toMatchObject({ status: 'skip', message: 'gemini is turned off in the config (backends.gemini.enabled: false)' });
    expect(r.checks.map((c) => c.id)).not.toContain('auth.gemini');
    expect(check(r, 'config').message).toBe('config ~/.clinvk/config.yaml is valid');
  });

  it('a sessions folder that cannot be written fails with what to do', async () => {
    const m = machine();
    mkdirSync(m.env.CLINVK_HOME!, { recursive: true });
    writeFileSync(join(m.env.CLINVK_HOME!, 'sessions'), 'a file where the folder should be');
    const c = check(await doctor(m), 'sessions');
    expect(c.status).toBe('fail');
    expect(c.message).toMatch(/^sessions folder ~\/\.clinvk\/sessions: could not write to the sessions folder/);
    expect(c.fix).toMatch(/CLINVK_HOME/);
  });

  it('a Node outside package.json engines fails', async () => {
    const c = check(await doctor(machine(), { nodeVersion: '18.19.0' }), 'node');
    expect(c).toMatchObject({ status: 'fail', message: 'Node 18.19.0 is outside the supported range >=20.19' });
    expect(c.fix).toMatch(/install a Node version/);
  });
});

describe('clinvk doctor --live', () => {
  it('sends each logged-in backend one tiny prompt through the engine; a failing one fails, a logged-out one is skipped', async () => {
    const m = machine({ env: { FAKE_CHUNK_DELAY_MS: '1', FAKE_LOGGED_OUT: 'codex' } });
    const rt = await createNodeRuntime({ env: m.env, cwd: m.home });
    try {
      const r = await doctor(m, { live: true, run: rt.run });
      expect(check(r, 'live.claude')).toMatchObject({ status: 'ok' });
      expect(check(r, 'live.claude').message).toMatch(/^claude answered a live prompt in [\d.]+ s: "Hello from fake claude/);
      expect(check(r, 'live.gemini').status).toBe('ok');
      expect(check(r, 'live.codex')).toMatchObject({ status: 'skip', message: 'codex: no live prompt (not logged in)' });
      // Ephemeral: no session is left behind by the doctor.
      expect(await rt.sessions.count()).toBe(0);
    } finally {
      await rt.close();
    }
    const failing = machine({ env: { FAKE_CHUNK_DELAY_MS: '1', FAKE_FAIL: 'auth' } });
    const rt2 = await createNodeRuntime({ env: failing.env, cwd: failing.home });
    try {
      const r = await doctor(failing, { live: true, run: rt2.run });
      const c = check(r, 'live.claude');
      expect(c.status).toBe('fail');
      expect(c.message).toMatch(/^claude live prompt failed after [\d.]+ s: BACKEND_AUTH: /);
      expect(c.fix).toBe('log claude in again (its credentials were refused)');
      expect(r.ok).toBe(false);
    } finally {
      await rt2.close();
    }
  });

  it('without --live no prompt is sent', async () => {
    const m = machine();
    const r = await doctor(m, { run: () => { throw new Error('must not run'); } });
    expect(r.checks.some((c) => c.id.startsWith('live'))).toBe(false);
  });
});
