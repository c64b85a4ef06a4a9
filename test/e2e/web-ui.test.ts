// The web UI (issue 18) in a real browser: Debian's Chromium driven by playwright-core against a spawned
// `stn serve` with the test model server and the real filesystem MCP server. Signs in, starts a run from an
// agent's form and watches its timeline fill live, cancels a run, reloads a deep link, and checks that a
// viewer gets no run or cancel buttons. Screenshots of the main pages go to test-artifacts/web (look at them).
// Needs `npm run build` (the web UI is built into dist/web) and /usr/bin/chromium (.ci/run installs it).
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openEngine } from '../../src/core/index.js';
import { ROOT, runStn } from '../helpers/cli.js';
import { recordBigRun } from '../tui/helpers/big-run.js';
import { startModelServer, toolMessages, type ModelServer } from '../helpers/model-server.js';
import { makeRunHome, startStn, type RunHome } from './run-home.js';

const ARTIFACTS = process.env.STATION_TEST_ARTIFACTS ?? join(ROOT, 'test-artifacts', 'web');
const CHROMIUM = process.env.STATION_CHROMIUM ?? '/usr/bin/chromium';

let home: RunHome;
let model: ModelServer;
let stn: ReturnType<typeof startStn>;
let url: string;
let port: number;
let bigRun: number;
let browser: Browser | undefined;
const keys = { admin: '', viewer: '' };

async function createKey(role: string): Promise<string> {
  const out = await runStn(['key', 'create', `web-${role}`, '--role', role, '--json'], { env: home.env });
  expect(out.code, out.stderr).toBe(0);
  return (JSON.parse(out.stdout) as { key: string }).key;
}

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** The URL `stn serve` prints once it listens. */
function listening(serve: ReturnType<typeof startStn>): Promise<string> {
  return vi.waitFor(
    () => {
      const found = /Station listening on (https?:\/\/\S+)/.exec(serve.output().stdout)?.[1];
      if (found === undefined) throw new Error(`not listening yet: ${serve.output().stderr}`);
      return found;
    },
    { timeout: 20_000, interval: 50 },
  );
}

/** A new tab; waits are generous, for a loaded CI machine (they end as soon as the page is there). */
async function openPage(options: Parameters<Browser['newPage']>[0] = {}): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 }, ...options });
  page.setDefaultTimeout(60_000);
  return page;
}

async function signedIn(key: string): Promise<Page> {
  const page = await openPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('401')) problems.push(m.text());
  });
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(url);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
  return page;
}

function problemsOf(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  home = makeRunHome();
  home.writeAgent(
    'slow',
    '---\nmetadata:\n  name: slow\n  description: Thinks for a long time.\n---\n{{role "system"}}\nslow agent\n{{role "user"}}\n{{userInput}}\n',
  );
  // The reader lists the folder three times, 300 ms per model turn, then answers; the slow agent's model
  // takes a minute (it is cancelled before).
  model = await startModelServer({
    script: (request) => {
      if (request.body.messages.some((m) => m.content === 'slow agent')) return { text: 'late', delayMs: 60_000 };
      const done = toolMessages(request).length;
      if (done >= 3) return { text: 'Three listings later: readme.txt is there.', delayMs: 300 };
      return {
        toolCalls: [{ name: 'filesystem__list_directory', arguments: { path: home.files } }],
        delayMs: 300,
      };
    },
  });
  const synced = await runStn(['sync'], { env: home.envFor(model.url) });
  expect(synced.code, synced.stderr).toBe(0);
  keys.admin = await createKey('admin');
  keys.viewer = await createKey('viewer');
  // A long run left by another process: 10 006 events.
  const engine = openEngine({ home: home.home });
  bigRun = recordBigRun(engine, 2500).runId;
  await engine.close();
  // A fixed port: the reconnect test restarts the server on it.
  port = await freePort();
  stn = startStn(['serve', '--port', String(port)], home.envFor(model.url));
  url = await listening(stn);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  stn.child.kill('SIGTERM');
  await stn.exited;
  await model.close();
  home.cleanup();
});

describe('the web UI in Chromium', { timeout: 120_000 }, () => {
  it('refuses a wrong key with what to do, and serves the page with a strict CSP and cached assets', async () => {
    const page = await openPage();
    const response = await page.goto(url);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const script = await page.locator('script[type=module]').getAttribute('src');
    expect(script).toMatch(/^\/assets\/app-[A-Z0-9]+\.js$/);
    const asset = await fetch(`${url}${script ?? ''}`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    await shot(page, '0-sign-in');
    await page.getByLabel('API key').fill('stn_000000000000_notakey');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('invalid API key');
    await page.close();
  });

  it('starts a run from the agent form and draws its timeline live, with arguments and results on click', async () => {
    const page = await signedIn(keys.admin);
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('link', { name: 'reader' }).click();
    await page.getByLabel(/userInput/).fill('what is in the folder?');
    await shot(page, '2-agent');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    // Live: bars appear while the run is still going.
    await page.locator('.bar-model').first().waitFor();
    expect(await page.locator('.run-header .status').textContent()).toMatch(/running|queued/);
    await shot(page, '3-run-live');
    await page.locator('.run-header .status-completed').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.bar-tool').count()).toBe(3);
    expect(await page.locator('.bar-model').count()).toBe(4);
    const firstTool = page.locator('.bar-tool').first();
    expect(await firstTool.getAttribute('aria-label')).toMatch(/filesystem__list_directory, \d+ ms/);
    await firstTool.click();
    const detail = page.getByRole('complementary', { name: 'Selected call' });
    await expect.poll(() => detail.textContent()).toContain(home.files);
    await expect.poll(() => detail.textContent()).toContain('readme.txt');
    expect(await page.getByText('Three listings later').count()).toBe(1);
    await shot(page, '4-run-timeline');

    // A deep link works on reload (the server answers every page path with the app).
    const path = new URL(page.url()).pathname;
    await page.reload();
    await page.getByRole('heading', { name: new RegExp(`Run #${path.split('/').at(-1) ?? ''}`) }).waitFor();
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('table').getByText('reader').first().waitFor();
    await shot(page, '1-runs');
    await page.getByRole('link', { name: 'Environments' }).click();
    await page.getByRole('link', { name: 'default' }).click();
    await page.getByText('filesystem__list_directory').first().waitFor();
    await shot(page, '5-environment');
    await page.getByRole('link', { name: 'MCP servers' }).click();
    await page.getByRole('heading', { name: /filesystem/ }).waitFor();
    await shot(page, '6-servers');
    expect(problemsOf(page)).toEqual([]);
    await page.close();
  });

  it('cancels a running run from its page, opened by a deep link', async () => {
    const started = await fetch(`${url}/api/v1/environments/default/agents/slow/runs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${keys.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: { userInput: 'take your time' } }),
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: number };
    const page = await signedIn(keys.admin);
    await page.goto(`${url}/runs/${String(id)}`);
    await page.locator('.bar-model.bar-open').waitFor();
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.locator('.run-header .status-cancelled').waitFor({ timeout: 20_000 });
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    const run = (await (
      await fetch(`${url}/api/v1/runs/${String(id)}?events=false`, {
        headers: { Authorization: `Bearer ${keys.admin}` },
      })
    ).json()) as { stopReason: string };
    expect(run.stopReason).toBe('cancelled');
    // The model call cut short is marked on the timeline (a failed bar, readable without colour).
    await expect.poll(() => page.locator('.bar-error').count()).toBe(1);
    expect(await page.locator('.bar-error').getAttribute('aria-label')).toContain('failed');
    await page.close();
  });

  it('a viewer sees runs and agents but no run or cancel buttons', async () => {
    const page = await signedIn(keys.viewer);
    expect(await page.getByText('web-viewer (viewer)').count()).toBe(1);
    await page.goto(`${url}/agents/default/reader`);
    await page.getByText('may read this agent but not run it').waitFor();
    expect(await page.getByRole('button', { name: 'Start run' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('table').getByText('reader').first().waitFor();
    await page
      .getByRole('link', { name: /^#\d+$/ })
      .first()
      .click();
    await page.locator('.run-header').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    await shot(page, '7-viewer-run');
    await page.close();
  });
  it('works from the keyboard alone, with a visible focus', async () => {
    const page = await openPage();
    await page.goto(url);
    // The key field has the focus on arrival; Tab reaches the button; Enter signs in.
    await expect.poll(() => page.evaluate('document.activeElement.id'), { timeout: 20_000 }).toBe('key');
    await page.keyboard.type(keys.admin);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Sign in');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.locator('table.runs').waitFor();
    let focused = '';
    for (let i = 0; i < 40 && !/^#\d+$/.test(focused); i++) {
      await page.keyboard.press('Tab');
      focused = String(await page.evaluate('document.activeElement.textContent'));
    }
    expect(focused).toMatch(/^#\d+$/);
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: new RegExp(`Run ${focused}`) }).waitFor();
    await page.close();
  });

  it('opens a 10 000-event run at once and scrolls its events (only the rows in view are drawn)', async () => {
    const page = await signedIn(keys.admin);
    await page.goto(`${url}/runs/${String(bigRun)}`);
    await page.getByRole('list', { name: 'Events (10006)' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('.event-row').count()).toBeLessThan(100);
    expect(await page.locator('.bar-tool').count()).toBe(2500);
    await page.evaluate("(e => e.scrollTo(0, e.scrollHeight))(document.querySelector('.events'))");
    await page.getByRole('button', { name: /#10006 .*run\.finished/ }).waitFor();
    expect(await page.locator('.event-row').count()).toBeLessThan(100);
    await shot(page, '8-big-run');
    await page.close();
  });

  it("follows the system's dark theme", async () => {
    const page = await openPage({ colorScheme: 'dark' });
    await page.goto(url);
    const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(background).toBe('rgb(15, 18, 22)');
    await page.getByLabel('API key').fill(keys.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Signed in (the key kept for the tab) before going elsewhere: a navigation would abort the check.
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.goto(`${url}/runs/1`);
    await page.locator('.bar-tool').first().waitFor();
    await shot(page, '9-run-dark');
    await page.close();
  });

  it('says "reconnecting" while the server is away and catches up when it is back', async () => {
    const page = await signedIn(keys.admin);
    const live = page.getByRole('status').filter({ hasText: /live|reconnecting/ });
    await expect.poll(() => live.textContent(), { timeout: 20_000 }).toContain('live');
    await page.locator('table.runs tbody tr').first().waitFor();
    const before = await page.locator('table.runs tbody tr').count();
    stn.child.kill('SIGTERM');
    await stn.exited;
    await expect.poll(() => live.textContent(), { timeout: 20_000 }).toContain('reconnecting');
    stn = startStn(['serve', '--port', String(port)], home.envFor(model.url));
    await listening(stn);
    await expect.poll(() => live.textContent(), { timeout: 30_000 }).toContain('live');
    // A run started now shows up in the list without a reload.
    const started = await fetch(`${url}/api/v1/environments/default/agents/reader/runs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${keys.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: { userInput: 'again' } }),
    });
    expect(started.status).toBe(202);
    await expect.poll(() => page.locator('table.runs tbody tr').count(), { timeout: 30_000 }).toBe(before + 1);
    await page.close();
  });
});
