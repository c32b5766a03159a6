import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendConfig, configSchema, defaultConfig } from '../../runtime/config.ts';
import { loadApiKeys, loadConfig } from '../../runtime/node/config.ts';
import { getConfigValue, setConfigValue } from '../../runtime/node/config-edit.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clinvk-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = (name: string) => join(dir, name);
const err = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string; hint?: string };
  }
  throw new Error('expected a rejection');
};

describe('defaults without the schema', () => {
  it('the plain defaults are exactly what the schema makes of an empty file', () => {
    expect(defaultConfig()).toEqual(configSchema.parse({}));
    expect(backendConfig(defaultConfig(), 'claude')).toEqual(configSchema.parse({ backends: { claude: {} } }).backends.claude);
  });

  it('every call hands out its own copy', () => {
    const a = defaultConfig();
    a.server.trusted_proxies.push('10.0.0.1');
    backendConfig(a, 'codex').extra_flags.push('--x');
    expect(defaultConfig().server.trusted_proxies).toEqual([]);
    expect(backendConfig(defaultConfig(), 'codex').extra_flags).toEqual([]);
  });
});

describe('loadConfig', () => {
  it('missing file = defaults; home from CLINVK_HOME, path under it', async () => {
    const home = join(dir, 'home-a');
    const r = await loadConfig({ env: { CLINVK_HOME: home } });
    expect(r).toEqual({ config: defaultConfig(), path: join(home, 'config.yaml'), home, exists: false });
  });

  it('CLINVK_CONFIG and opts.path choose the file (path first)', async () => {
    await writeFile(file('a.yaml'), 'default_backend: codex\n');
    await writeFile(file('b.yaml'), 'default_backend: gemini\n');
    expect((await loadConfig({ env: { CLINVK_CONFIG: file('a.yaml') } })).config.default_backend).toBe('codex');
    const r = await loadConfig({ path: file('b.yaml'), env: { CLINVK_CONFIG: file('a.yaml') } });
    expect(r.config.default_backend).toBe('gemini');
    expect(r.exists).toBe(true);
  });

  it('reads the file and fills defaults; env overrides the file', async () => {
    await writeFile(file('c.yaml'), 'default_backend: codex\nbackends:\n  claude:\n    model: opus\nunified_flags:\n  command_timeout_secs: 60\n');
    const r = await loadConfig({ path: file('c.yaml'), env: {} });
    expect(r.config.backends.claude?.model).toBe('opus');
    expect(r.config.backends.claude?.enabled).toBe(true);
    expect(r.config.unified_flags.command_timeout_secs).toBe(60);
    expect(r.config.server.port).toBe(8080);
    const e = await loadConfig({ path: file('c.yaml'), env: { CLINVK_BACKEND: 'gemini', CLINVK_CLAUDE_MODEL: 'haiku', CLINVK_CODEX_MODEL: 'gpt-5' } });
    expect(e.config.default_backend).toBe('gemini');
    expect(e.config.backends.claude?.model).toBe('haiku');
    expect(e.config.backends.codex).toMatchObject({ model: 'gpt-5', enabled: true });
  });

  it('bad YAML is CONFIG_INVALID naming the file and line', async () => {
    await writeFile(file('bad.yaml'), 'default_backend: [unclosed\n');
    const e = await err(loadConfig({ path: file('bad.yaml'), env: {} }));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(file('bad.yaml'));
    expect(e.message).toMatch(/line \d+/);
  });

  it('a wrong type or unknown key names the file and the key path, one line each', async () => {
    await writeFile(file('type.yaml'), 'server:\n  port: "eighty"\nbackends:\n  claude:\n    enabled: maybe\n    modle: x\n');
    const e = await err(loadConfig({ path: file('type.yaml'), env: {} }));
    expect(e.code).toBe('CONFIG_INVALID');
    const lines = e.message.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${file('type.yaml')}: server\\.port: `)));
    expect(lines).toContainEqual(expect.stringContaining(': backends.claude.enabled: '));
    expect(lines).toContainEqual(`${file('type.yaml')}: backends.claude.modle: unknown key`);
  });
});

describe('get / set', () => {
  it('round trip keeps comments and types values by the schema', async () => {
    const p = file('rt.yaml');
    await writeFile(p, '# my settings\ndefault_backend: claude # the usual\nserver:\n  port: 8080 # keep\n');
    await setConfigValue(p, 'backends.claude.model', 'sonnet');
    await setConfigValue(p, 'server.port', '9090');
    await setConfigValue(p, 'server.rate_limit_enabled', 'true');
    await setConfigValue(p, 'backends.claude.allowed_tools', 'Read, Edit');
    await setConfigValue(p, 'server.cors_allowed_origins', '[http://a, http://b]');
    const text = await readFile(p, 'utf8');
    expect(text).toContain('# my settings');
    expect(text).toContain('# the usual');
    const { config } = await loadConfig({ path: p, env: {} });
    expect(getConfigValue(config, 'backends.claude.model')).toBe('sonnet');
    expect(getConfigValue(config, 'server.port')).toBe(9090);
    expect(getConfigValue(config, 'server.rate_limit_enabled')).toBe(true);
    expect(getConfigValue(config, 'backends.claude.allowed_tools')).toEqual(['Read', 'Edit']);
    expect(getConfigValue(config, 'server.cors_allowed_origins')).toEqual(['http://a', 'http://b']);
    expect(getConfigValue(config, 'backends.gemini.enabled')).toBe(true); // defaults for a backend not in the file
  });

  it('set creates a missing file', async () => {
    const p = join(dir, 'new', 'config.yaml');
    await setConfigValue(p, 'default_backend', 'codex');
    expect((await loadConfig({ path: p, env: {} })).config.default_backend).toBe('codex');
  });

  it('rejects wrong types and unknown keys with a clear message, leaving the file alone', async () => {
    const p = file('rej.yaml');
    await writeFile(p, 'default_backend: claude\n');
    expect(await err(setConfigValue(p, 'server.port', 'abc'))).toMatchObject({ code: 'INVALID_INPUT', message: 'server.port: expected a number, got "abc"' });
    expect((await err(setConfigValue(p, 'server.port', '99999'))).code).toBe('CONFIG_INVALID');
    expect((await err(setConfigValue(p, 'unified_flags.approval_mode', 'yolo'))).code).toBe('CONFIG_INVALID');
    const e = await err(setConfigValue(p, 'server.prot', '1'));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe('unknown config key "server.prot"');
    expect(e.hint).toContain('server.port');
    expect(() => getConfigValue(defaultConfig(), 'nope')).toThrow(/unknown config key/);
    expect(await readFile(p, 'utf8')).toBe('default_backend: claude\n');
  });
});

describe('loadApiKeys', () => {
  it('reads the comma list and the file, skipping comments and blanks', async () => {
    const p = file('keys.txt');
    await writeFile(p, '# server keys\nk3\n\n  k4  \nk1\n');
    expect(loadApiKeys({ CLINVK_API_KEYS: 'k1, k2,,', CLINVK_API_KEYS_FILE: p })).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect(loadApiKeys({})).toEqual([]);
    expect(() => loadApiKeys({ CLINVK_API_KEYS_FILE: file('missing') })).toThrow(/CLINVK_API_KEYS_FILE/);
  });
});
