// The browser suite's pieces: Debian's Chromium driven by playwright-core (its own browser downloads
// cannot work offline), and a live `clinvk serve` (the built CLI) with the fake backend CLIs on PATH.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { readFakeLog } from '../fixtures/fake-log.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHROMIUM = process.env.CLINVK_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
/**
 * The README shows the screenshots in test/browser/screenshots; a run rewrites them only when asked
 * (CLINVK_UPDATE_SCREENSHOTS=1), so an ordinary run leaves the work tree clean. Else they go to .tmp/.
 */
export const SCREENSHOTS = join(ROOT, process.env.CLINVK_UPDATE_SCREENSHOTS === '1' ? 'test/browser/screenshots' : '.tmp/screenshots');

/** Headless, and quiet on the network: without these flags Chromium keeps calling home. Playwright gives it a fresh profile. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

export interface LiveServer {
  url: string;
  home: string;
  /** One JSON line per fake CLI start and end (FAKE_LOG): argv and pid. */
  fakeLog(): { cli: string; phase: string; argv: string[]; pid: number }[];
  close(): Promise<void>;
}

/** `node dist/clinvk.cjs serve --port 0` in a scratch home; resolves once it prints its address. */
export async function startServe(env: Record<string, string> = {}, configYaml = ''): Promise<LiveServer> {
  const home = mkdtempSync(join(tmpdir(), 'clinvk-browser-'));
  const log = join(home, 'fake.log');
  // Cold runs: the suite checks what the console does with each run (Stop ends it and its process leaves
  // /proc; the fake's [[fake:…]] directives and argv log are the cold fake's). On a warm agent, Stop
  // interrupts the turn and the agent lives on, as the warm suites (test/e2e/warm-*) check.
  writeFileSync(join(home, 'config.yaml'), `warm: { enabled: false }\n${configYaml}`);
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist/clinvk.cjs'), 'serve', '--port', '0'], {
    cwd: home,
    env: {
      ...process.env,
      HOME: home,
      CLINVK_HOME: home,
      CLINVK_CONFIG: join(home, 'config.yaml'),
      CLINVK_API_KEYS: '',
      PATH: `${join(ROOT, 'test/fixtures/fake-clis')}${delimiter}${process.env.PATH ?? ''}`,
      FAKE_STATE_DIR: join(home, 'fake-state'),
      FAKE_LOG: log,
      // Slow enough that the page shows text while the run still goes.
      FAKE_CHUNKS: '4',
      FAKE_CHUNK_DELAY_MS: '150',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${output}`)), 15_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${output}`)));
  });
  return {
    url,
    home,
    fakeLog: () => readFakeLog<{ cli: string; phase: string; argv: string[]; pid: number }>(log),
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    },
  };
}
