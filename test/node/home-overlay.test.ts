// The per-run gemini home for client tools: the user's ~/.gemini linked entry by entry, the settings a
// merged copy, the user's own files never written, everything gone on remove().
import { mkdtempSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { homeOverlay, mergeSettings } from '../../runtime/node/home-overlay.ts';

const dirs: string[] = [];
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'clinvk-ho-test-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const spec = { dirName: '.gemini', settingsFile: 'settings.json', settings: { mcpServers: { client: { httpUrl: 'http://127.0.0.1:1/run/t/mcp', trust: true } } } };

describe('homeOverlay', () => {
  it('links every entry but the settings, which merge the user\'s (servers by name) with the run\'s', async () => {
    const home = scratch();
    mkdirSync(join(home, '.gemini', 'tmp'), { recursive: true });
    writeFileSync(join(home, '.gemini', 'oauth_creds.json'), '{}');
    const userSettings = '{\n  // comment\n  "security": {"auth": {"selectedType": "oauth"}}, "mcpServers": {"mine": {"command": "x"}}\n}';
    writeFileSync(join(home, '.gemini', 'settings.json'), userSettings);
    const o = await homeOverlay({ home, ...spec }, scratch);
    expect(readlinkSync(join(o.path, '.gemini', 'oauth_creds.json'))).toBe(join(home, '.gemini', 'oauth_creds.json'));
    expect(readlinkSync(join(o.path, '.gemini', 'tmp'))).toBe(join(home, '.gemini', 'tmp'));
    const merged = JSON.parse(readFileSync(join(o.path, '.gemini', 'settings.json'), 'utf8'));
    expect(merged).toEqual({ security: { auth: { selectedType: 'oauth' } }, mcpServers: { mine: { command: 'x' }, client: spec.settings.mcpServers.client } });
    expect(o.warnings).toEqual([]);
    expect(readFileSync(join(home, '.gemini', 'settings.json'), 'utf8')).toBe(userSettings);
    await o.remove();
    expect(existsSync(o.path)).toBe(false);
    expect(existsSync(join(home, '.gemini', 'oauth_creds.json'))).toBe(true);
  });

  it('no ~/.gemini: only the run\'s settings, and nothing created in the home', async () => {
    const home = scratch();
    const o = await homeOverlay({ home, ...spec }, scratch);
    expect(JSON.parse(readFileSync(join(o.path, '.gemini', 'settings.json'), 'utf8'))).toEqual(spec.settings);
    expect(existsSync(join(home, '.gemini'))).toBe(false);
    await o.remove();
  });

  it('unreadable user settings: a warning, the run\'s settings only', async () => {
    const home = scratch();
    mkdirSync(join(home, '.gemini'));
    writeFileSync(join(home, '.gemini', 'settings.json'), '{ not json');
    const o = await homeOverlay({ home, ...spec }, scratch);
    expect(o.warnings).toEqual([expect.stringMatching(/could not be read as JSON/)]);
    await o.remove();
  });
});

it('mergeSettings: objects one level deep, other values replaced', () => {
  expect(mergeSettings({ a: { x: 1 }, b: [1], c: 1 }, { a: { y: 2 }, b: [2] })).toEqual({ a: { x: 1, y: 2 }, b: [2], c: 1 });
});
