// The web console in a real headless Chromium (Debian's package) against a live `clinvk serve` with
// the fake CLIs: streaming, tool calls, stop, continue, errors, compare, sessions, API keys, and agent
// output that tries to run script. Skips with a clear line when no Chromium is installed.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive } from '../fixtures/proc.ts';
import { hasChromium, launchChromium, SCREENSHOTS, startServe, type LiveServer, CHROMIUM } from './harness.ts';

if (!hasChromium) console.log(`browser suite skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CLINVK_CHROMIUM)`);

const until = async (cond: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe.skipIf(!hasChromium)('web console in Chromium', () => {
  let browser: Browser;
  let server: LiveServer;
  const contexts: BrowserContext[] = [];
  /** Console errors of every page (CSP violations show up here). */
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // A model alias in the config: the model picker offers it.
    [browser, server] = await Promise.all([launchChromium(), startServe({}, 'backends:\n  claude:\n    models: { fast: claude-haiku-9 }\n')]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await server?.close();
  });

  /** `hostile`: the page is fed agent HTML with handlers; CSP reports them (as DOMPurify parses them) and blocks them. */
  async function open(url = server.url, hash = '', viewport = { width: 1100, height: 760 }, hostile = false, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const context = await browser.newContext({ viewport, colorScheme });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (hostile && /inline event handler violates|status of 404/.test(m.text())) return;
      problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(`${url}/${hash}`);
    return page;
  }
  const backendsLoaded = (page: Page) => page.locator('[data-testid=backend] option').first().waitFor({ state: 'attached' });
  const send = async (page: Page, text: string) => {
    await page.getByTestId('prompt').first().fill(text);
    await page.getByTestId('prompt').first().press('Enter');
  };
  const lastRun = (page: Page) => page.locator('section.chat [data-testid=run]').last();

  it('streams an answer as Markdown, shows the tool call folded, and continues the session', async () => {
    const page = await open();
    await backendsLoaded(page);
    await send(page, 'List the files [[fake:tool]]');
    const run = lastRun(page);
    // Text appears while the run is still going.
    await page.locator('section.chat [data-testid=run][data-status=running] .md').first().waitFor({ timeout: 5000 });
    const tool = run.getByTestId('tool-call');
    await expect(tool.locator('.tool-name').textContent()).resolves.toBe('Bash');
    await expect(tool.evaluate((d) => (d as HTMLDetailsElement).open)).resolves.toBe(false);
    await page.locator('section.chat [data-testid=run][data-status=done]').waitFor({ timeout: 10_000 });
    await expect(tool.locator('.tool-state').textContent()).resolves.toBe('done');
    await expect(run.locator('.md').textContent()).resolves.toContain('Hello from fake claude (turn 1): List the files');
    const figures = await run.getByTestId('figures').textContent();
    expect(figures).toMatch(/\d+ in · \d+ out tokens/);
    expect(figures).toMatch(/\$0\.000228/);
    const sessionId = await page.getByTestId('session-id').locator('code').textContent();
    expect(sessionId).toMatch(/\S{6,}/);

    await tool.locator('summary').click(); // unfolded for the screenshot
    await page.screenshot({ path: join(SCREENSHOTS, 'chat.png') });

    await send(page, 'And now?');
    await page.locator('section.chat [data-testid=run]').nth(1).and(page.locator('[data-status=done]')).waitFor({ timeout: 10_000 });
    await expect(lastRun(page).locator('.md').textContent()).resolves.toContain('(turn 2): And now?');
    await expect(page.getByTestId('session-id').locator('code').textContent()).resolves.toBe(sessionId);
  });

  it("offers the config's model aliases; Shift+Enter is a new line, Enter sends with the chosen options", async () => {
    const page = await open();
    await backendsLoaded(page);
    const models = await page.locator('#model-list option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(models).toEqual(expect.arrayContaining(['fast', 'claude-haiku-9']));
    await page.getByLabel('Model').fill('fast');
    await page.locator('section.chat').getByLabel('Approval').selectOption('auto');
    const box = page.getByTestId('prompt').first();
    await box.fill('first line');
    await box.press('Shift+Enter');
    await box.pressSequentially('second line');
    await expect(box.inputValue()).resolves.toBe('first line\nsecond line');
    await box.press('Enter');
    await page.locator('section.chat [data-testid=run][data-status=done]').waitFor({ timeout: 10_000 });
    await expect(lastRun(page).locator('.prompt').textContent()).resolves.toBe('first line\nsecond line');
    // The options reached the CLI: the alias resolved by the server, the approval mode as claude's flag.
    const argv = server.fakeLog().find((e) => e.phase === 'start' && e.argv.some((a) => a.includes('second line')))!.argv;
    expect(argv.join(' ')).toContain('--model claude-haiku-9');
    expect(argv.join(' ')).toContain('--permission-mode acceptEdits');
  });

  it('Stop cancels a hung run and its process is gone', async () => {
    const page = await open();
    await backendsLoaded(page);
    await send(page, 'Wait forever [[fake:hang]]');
    let pid = 0;
    await until(() => {
      const start = server.fakeLog().find((e) => e.phase === 'start' && e.argv.some((a) => a.includes('Wait forever')));
      if (start) pid = start.pid;
      return pid > 0;
    });
    expect(alive(pid)).toBe(true);
    await page.getByTestId('stop').click();
    await page.locator('section.chat [data-testid=run][data-status=stopped]').waitFor({ timeout: 5000 });
    await until(() => !alive(pid), 8000);
    await expect(page.locator('section.chat').getByTestId('send').isVisible()).resolves.toBe(true);
  });

  it("shows the server's own words for a refused run", async () => {
    const page = await open();
    await backendsLoaded(page);
    await page.getByLabel('Workdir').first().fill('/etc');
    await send(page, 'hello');
    const shown = await page.locator('section.chat [data-testid=run-error]').first().textContent({ timeout: 5000 });
    const res = await fetch(`${server.url}/api/v1/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ backend: 'claude', prompt: 'hello', workdir: '/etc', output_format: 'stream-json' }) });
    const problem = (await res.json()) as { detail: string };
    expect(res.status).toBe(400);
    expect(shown).toContain(problem.detail);
    expect(problem.detail).toContain('/etc');
  });

  it('renders a malicious agent answer inert', async () => {
    const page = await open(server.url, '', undefined, true);
    await backendsLoaded(page);
    // The fake echoes the prompt in its answer, so this is what the "agent" answers.
    const evil = 'Look <img src=x onerror="window.__pwned=1"> [click me](javascript:window.__pwned=2) <a href="javascript:window.__pwned=3" id="evil">raw</a> <script>window.__pwned=4</script>';
    await send(page, evil);
    await page.locator('section.chat [data-testid=run][data-status=done]').waitFor({ timeout: 10_000 });
    const answer = lastRun(page).getByTestId('answer');
    await expect(answer.locator('img').count()).resolves.toBe(1);
    await expect(answer.locator('img').getAttribute('onerror')).resolves.toBeNull();
    await expect(answer.locator('script').count()).resolves.toBe(0);
    for (const a of await answer.locator('a').all()) expect(await a.getAttribute('href') ?? '').not.toMatch(/^\s*javascript:/i);
    for (const a of await answer.locator('a').all()) await a.click({ modifiers: [] }).catch(() => {});
    await page.waitForTimeout(200);
    await expect(page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    // The user's own message is shown as text, not HTML.
    await expect(lastRun(page).locator('.prompt').textContent()).resolves.toBe(evil);
  });

  it('compares three backends side by side, each with its time and tokens', async () => {
    const page = await open(server.url, '#compare');
    await page.getByTestId('compare-gemini').waitFor();
    for (const b of ['claude', 'codex', 'gemini']) await expect(page.getByTestId(`compare-${b}`).isChecked()).resolves.toBe(true);
    await page.locator('section.compare textarea').fill('Say hi');
    await page.locator('section.compare textarea').press('Enter');
    const columns = page.locator('section.compare .column');
    await until(async () => (await columns.count()) === 3);
    // At least one column shows text before the runs end.
    await page.locator('section.compare [data-testid=run][data-status=running] .md').first().waitFor({ timeout: 5000 });
    await until(async () => (await page.locator('section.compare [data-testid=run][data-status=done]').count()) === 3, 15_000);
    for (const b of ['claude', 'codex', 'gemini']) {
      const col = page.locator(`section.compare .column[data-backend=${b}]`);
      await expect(col.locator('.md').textContent()).resolves.toContain(`Hello from fake ${b}`);
      await expect(col.getByTestId('figures').textContent()).resolves.toMatch(/(ms|s).*\d+ in · \d+ out tokens/);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'compare.png') });
  });

  it('lists, filters, opens, continues and deletes sessions', async () => {
    const post = (backend: string, prompt: string) =>
      fetch(`${server.url}/api/v1/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ backend, prompt }) }).then((r) => r.json() as Promise<{ session_id: string }>);
    const codex = await post('codex', 'Refactor the parser');
    await post('gemini', 'Explain the build');
    const page = await open(server.url, '#sessions');
    await page.getByTestId('session-list').locator('li').first().waitFor();
    await page.locator('section.sessions').getByLabel('Backend').selectOption('codex');
    await until(async () => (await page.locator('.session-item .badge').allTextContents()).every((b) => b === 'codex'));
    const item = page.locator(`.session-item[data-session-id="${codex.session_id}"]`);
    await item.click();
    await expect(page.getByTestId('session-details').textContent()).resolves.toContain('Refactor the parser');
    await page.locator('section.sessions').getByLabel('Backend').selectOption('');
    await page.locator('.session-item .badge', { hasText: 'claude' }).first().waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'sessions.png') });

    // Continue in chat: the same session, its next turn.
    await page.getByTestId('continue').click();
    await expect(page.getByTestId('session-id').locator('code').textContent()).resolves.toBe(codex.session_id);
    await expect(page.locator('section.chat [data-testid=backend]').inputValue()).resolves.toBe('codex');
    await send(page, 'Go on');
    await page.locator('section.chat [data-testid=run][data-status=done]').waitFor({ timeout: 10_000 });
    await expect(lastRun(page).locator('.md').textContent()).resolves.toContain('Hello from fake codex (turn 2): Go on');

    // Delete, after a confirmation.
    await page.getByTestId('tab-sessions').click();
    await page.locator(`.session-item[data-session-id="${codex.session_id}"]`).click();
    await page.getByTestId('delete').click();
    await page.getByTestId('confirm-delete').click();
    await page.locator(`.session-item[data-session-id="${codex.session_id}"]`).waitFor({ state: 'detached' });
    await expect(fetch(`${server.url}/api/v1/sessions/${codex.session_id}`).then((r) => r.status)).resolves.toBe(404);
  });

  it('asks for an API key, says clearly when one is refused, and keeps it for the tab only', async () => {
    const keyed = await startServe({ CLINVK_API_KEYS: 'right-key' });
    try {
      const page = await open(keyed.url);
      await page.getByTestId('key-form').waitFor();
      await page.getByTestId('key-input').fill('wrong-key');
      await page.getByTestId('key-submit').click();
      await expect(page.getByTestId('key-error').textContent()).resolves.toMatch(/^The server refused this key: a valid API key is required/);
      await page.getByTestId('key-input').fill('right-key');
      await page.getByTestId('key-submit').click();
      await page.getByTestId('key-form').waitFor({ state: 'detached' });
      await backendsLoaded(page);
      await send(page, 'with a key');
      await page.locator('section.chat [data-testid=run][data-status=done]').waitFor({ timeout: 10_000 });
      await expect(page.evaluate(() => sessionStorage.getItem('clinvk.apiKey'))).resolves.toBe('right-key');
      await expect(page.evaluate(() => localStorage.length)).resolves.toBe(0);
      // Another tab (a new browsing context) does not have it.
      const other = await open(keyed.url);
      await other.getByTestId('key-form').waitFor();
    } finally {
      await keyed.close();
    }
  });

  it('fits a 360 px screen, follows a dark system theme and labels every control', async () => {
    const page = await open(server.url, '', { width: 360, height: 740 }, false, 'dark');
    await backendsLoaded(page);
    await expect(page.evaluate(() => getComputedStyle(document.body).backgroundColor)).resolves.toBe('rgb(17, 20, 24)');
    await send(page, 'On a phone, *in the dark*');
    await page.locator('section.chat [data-testid=run][data-status=done]').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'chat-360-dark.png') });
    for (const hash of ['#chat', '#compare', '#sessions', '#backends']) {
      await page.goto(`${server.url}/${hash}`);
      await page.waitForTimeout(150);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      expect(overflow, hash).toBeLessThanOrEqual(0);
      const unlabeled = await page.evaluate(() =>
        [...document.querySelectorAll('input, select, textarea')].filter((el) => {
          const e = el as HTMLInputElement;
          return e.offsetParent !== null && (e.labels?.length ?? 0) === 0 && !e.getAttribute('aria-label');
        }).map((e) => e.outerHTML),
      );
      expect(unlabeled, hash).toEqual([]);
    }
    await expect(page.locator('table').textContent()).resolves.toContain('gemini');
  });

  it('loaded with no CSP violation or script error', () => {
    // 401s are the key test's, the 400 the refused workdir's; everything else would be a CSP violation or a script error.
    expect(problems.filter((p) => !/status of 40[01]/.test(p))).toEqual([]);
  });
});
