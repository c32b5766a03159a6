// The real CLIs for the warm bench (bench/warm.ts), when installed: each in a scratch HOME pointed at the
// real-CLI suite's loopback model mock (test/real/mocks/), as test/real/harness.ts's sandbox() does
// (that file imports vitest, so it is not loaded here). Where the CLIs are: $CLINVK_REAL_CLIS_DIR (a
// folder with node_modules/.bin), else .cache/real-clis (what `npm run test:real` installs).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { startAnthropicMock } from '../test/real/mocks/anthropic.ts';
import { startGeminiMock } from '../test/real/mocks/gemini.ts';
import { startResponsesMock } from '../test/real/mocks/responses.ts';
import type { Mock } from '../test/real/mocks/common.ts';

export interface RealSetup {
  label: string;
  backend: string;
  env: Record<string, string | undefined>;
  cwd: string;
}

const MOCKS: Record<string, () => Promise<Mock>> = { claude: startAnthropicMock, codex: startResponsesMock, gemini: startGeminiMock };

/** Each installed real CLI, set up against its mock; `close()` stops the mocks and removes the scratch folders. */
export async function realSetups(): Promise<{ setups: RealSetup[]; close(): Promise<void> }> {
  const bin = join(resolve(process.env.CLINVK_REAL_CLIS_DIR || '.cache/real-clis'), 'node_modules', '.bin');
  const names = Object.keys(MOCKS).filter((n) => existsSync(join(bin, n)));
  if (names.length < Object.keys(MOCKS).length) {
    const missing = Object.keys(MOCKS).filter((n) => !names.includes(n));
    process.stderr.write(`bench warm: real ${missing.join(', ')} skipped (not in ${bin}; set CLINVK_REAL_CLIS_DIR or run npm run test:real once)\n`);
  }
  const mocks: Mock[] = [];
  const scratch: string[] = [];
  const setups: RealSetup[] = [];
  for (const backend of names) {
    const mock = await MOCKS[backend]!();
    mocks.push(mock);
    const home = mkdtempSync(join(tmpdir(), `clinvk-bench-real-warm-${backend}-`));
    scratch.push(home);
    const repo = join(home, 'repo');
    mkdirSync(repo);
    execFileSync('git', ['init', '-q'], { cwd: repo });
    mkdirSync(join(home, '.codex'));
    writeFileSync(
      join(home, '.codex', 'config.toml'),
      `model = "gpt-mock-1"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "Mock"\nbase_url = "${mock.url}/v1"\nenv_key = "MOCK_API_KEY"\nwire_api = "responses"\n`,
    );
    mkdirSync(join(home, '.gemini'));
    writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }));
    const env = {
      PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
      HOME: home,
      TMPDIR: home,
      CLINVK_HOME: join(home, '.clinvk'),
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: 'sk-ant-mock',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      CODEX_HOME: join(home, '.codex'),
      MOCK_API_KEY: 'sk-mock',
      GOOGLE_GEMINI_BASE_URL: mock.url,
      GEMINI_API_KEY: 'mock',
    };
    setups.push({ label: `real ${backend} (mock model)`, backend, env, cwd: repo });
  }
  return {
    setups,
    async close() {
      await Promise.all(mocks.map((m) => m.close()));
      for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    },
  };
}
