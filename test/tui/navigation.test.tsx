import { describe, expect, it } from 'vitest';
import { FakeStationClient, environmentView, freshStation, runView } from './helpers/fake-client.js';
import { KEYS, screenPerTest } from './helpers/screen.js';

// Keys, screens and layout: the data comes from the in-memory StationClient (a fresh Station's agents and
// server); the real engine behind the TUI is exercised by runs.test.tsx and mcp-environments.test.tsx.
// Each step may wait up to 30 s for its frame on a loaded CI machine: the test as a whole gets room for several.
describe('TUI navigation (StationClient fake, ink-testing-library)', { timeout: 90_000 }, () => {
  const tui = screenPerTest();

  it('opens on the Agents screen with a header, the agents and a footer of working keys', async () => {
    const screen = await tui.show(new FakeStationClient(freshStation()));
    const frame = await screen.waitFor('lister');
    expect(frame).toContain('Station │ env: default │ local');
    expect(frame).toContain('[2 Agents]');
    expect(frame).toMatch(/hello\s+default\s+0/);
    expect(frame).toMatch(/lister\s+test-model\s+1/);
    expect(frame).toContain('Lists a folder');
    expect(frame).toContain('enter open');
    expect(frame).toContain('r run');
    expect(frame).toContain('? help');
  });

  it('switches screens with number keys, tab and shift-tab', async () => {
    const screen = await tui.show(new FakeStationClient(freshStation()));
    await screen.waitFor('lister');
    await screen.press('1');
    expect(await screen.waitFor(/default \*\s+3/)).toContain('[1 Environments]');
    await screen.press(KEYS.tab);
    await screen.waitFor('[2 Agents]');
    await screen.press(KEYS.tab);
    expect(await screen.waitFor('No runs yet')).toContain('[3 Runs]');
    await screen.press(KEYS.shiftTab, KEYS.shiftTab);
    await screen.waitFor('[1 Environments]');
    await screen.press('5');
    expect(await screen.waitFor('filesystem')).toContain('[5 MCP]');
    await screen.press('4');
    expect(await screen.waitFor('No run opened')).toContain('[4 Trace]');
  });

  it('/ filters the current list as you type; esc clears the filter', async () => {
    const screen = await tui.show(new FakeStationClient(freshStation()));
    await screen.waitFor('lister');
    await screen.press('/');
    // Typed once the filter line is up: keys that arrive before that render still go to the list (see the note).
    await screen.waitFor('enter keep filter');
    await screen.type('list');
    let frame = await screen.waitFor('/ list');
    expect(frame).toContain('lister');
    expect(frame).toContain('/ list');
    expect(frame).toContain('enter keep filter');
    // While typing, letters are text, not keys: q does not quit, 1 does not switch screens.
    await screen.type('q1');
    frame = await screen.waitFor('No agent matches "listq1"');
    expect(frame).toContain('[2 Agents]');
    await screen.press(KEYS.backspace, KEYS.backspace, KEYS.enter);
    await screen.waitFor((f) => f.includes('enter open') && f.includes('/ list'));
    await screen.press(KEYS.esc);
    frame = await screen.waitFor((f) => f.includes('hello') && !f.includes('/ list'));
    expect(frame).toContain('lister');
  });

  it('j/k and arrows move the selection; ? shows every key and esc closes it', async () => {
    const screen = await tui.show(new FakeStationClient(freshStation()));
    await screen.waitFor('lister');
    const selected = (f: string): string | undefined => /›(\S+)/.exec(f)?.[1];
    const first = selected(screen.frame());
    await screen.press('j');
    const second = selected(await screen.waitFor((f) => selected(f) !== first));
    expect(second).not.toBe(first);
    await screen.press(KEYS.up);
    await screen.waitFor((f) => selected(f) === first);
    await screen.press('?');
    const help = await screen.waitFor('Keys');
    expect(help).toContain('Everywhere');
    expect(help).toContain('Quit (Ctrl-C works everywhere)');
    // Taller than the screen: it scrolls (PgDn/^D, G to the end).
    expect(help).toMatch(/lines 1-\d+ of \d+ · ↓ \d+ more/);
    await screen.press('\u0004');
    expect(await screen.waitFor('Filter the current list')).not.toContain('Quit (Ctrl-C works everywhere)');
    await screen.press('G');
    expect(await screen.waitFor('Close this help')).not.toMatch(/↓ \d+ more/);
    await screen.press(KEYS.esc);
    await screen.waitFor('enter open');
  });

  it('keys that arrive bunched in one chunk (fast typing, an SSH link) are each handled', async () => {
    const screen = await tui.show(new FakeStationClient(freshStation()));
    await screen.waitFor('lister');
    await screen.type('jj');
    await screen.waitFor(/›lister/);
    await screen.type('/lis\r');
    const frame = await screen.waitFor((f) => f.includes('/ lis') && f.includes('enter open'));
    expect(frame).not.toContain('hello');
    await screen.type('j\r');
    expect(await screen.waitFor('Tools (1)')).toContain('lister — Lists a folder');
  });

  it('R reloads the runs list from the client', async () => {
    const client = new FakeStationClient(freshStation());
    const screen = await tui.show(client, { screen: 'runs' });
    await screen.waitFor('No runs yet');
    // A run the client has but never pushed (no update for the subscribers): only a reload shows it.
    client.data.runs.push(runView({ id: 7, agent: 'hello', status: 'queued' }));
    await screen.press('R');
    expect(await screen.waitFor('#7')).toMatch(/hello\s+… queued/);
  });

  it('switches the environment from the Environments screen', async () => {
    const station = freshStation();
    station.environments.push(environmentView({ name: 'staging' }));
    const screen = await tui.show(new FakeStationClient(station));
    await screen.waitFor('lister');
    await screen.press('1');
    await screen.waitFor('staging');
    await screen.press('j', KEYS.enter);
    const frame = await screen.waitFor('env: staging');
    expect(frame).toContain('Environment: staging');
    expect(frame).toMatch(/staging \*/);
    await screen.press('2');
    expect(await screen.waitFor('No agents in staging')).toContain('[2 Agents]');
  });

  it('adapts to the terminal size and redraws on resize; 80x24 fits; no colour codes with NO_COLOR', async () => {
    const screen = await tui.show(new FakeStationClient(freshStation()), { columns: 80, rows: 24 });
    let frame = await screen.waitFor('lister');
    const widest = (f: string): number => Math.max(...f.split('\n').map((l) => Array.from(l).length));
    expect(widest(frame)).toBeLessThanOrEqual(80);
    expect(frame.split('\n').length).toBeLessThanOrEqual(23);
    expect(frame).toContain('? help');
    expect(frame).not.toContain('\u001b[');
    screen.resize(140, 40);
    frame = await screen.waitFor((f) => widest(f) > 100);
    expect(frame.split('\n').length).toBe(39);
    expect(widest(frame)).toBeLessThanOrEqual(140);
    screen.resize(80, 24);
    frame = await screen.waitFor((f) => widest(f) <= 80);
    expect(frame.split('\n').length).toBe(23);
  });
});
