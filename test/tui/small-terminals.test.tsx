import { describe, expect, it } from 'vitest';
import { errorLines } from '../../src/tui/components/error-line.js';
import { stringWidth, wrapText } from '../../src/tui/format.js';
import { runsColumns } from '../../src/tui/screens/runs-screen.js';
import { FakeStationClient, freshStation, runView, serverView, toolView } from './helpers/fake-client.js';
import { KEYS, screenPerTest } from './helpers/screen.js';

const widest = (f: string): number => Math.max(...f.split('\n').map((l) => Array.from(l).length));
const headings = (f: string): string => f.split('\n').find((l) => l.includes('ID') && l.includes('AGENT')) ?? '';

// At 80x24 nothing the user needs is cut off without a way to see it; below it the app says so; wide
// terminals show more columns.
describe('TUI on small and wide terminals (StationClient fake, ink-testing-library)', () => {
  const tui = screenPerTest();

  it('below 80x24 says the terminal is too small, ignores keys but q, and comes back as it was', async () => {
    const screen = await tui.show(new FakeStationClient(freshStation()), { columns: 80, rows: 24 });
    await screen.waitFor('lister');
    await screen.press('j');
    await screen.waitFor(/›hello/);
    screen.resize(79, 20);
    let frame = await screen.waitFor('terminal too small (need 80x24, have 79x20)');
    expect(frame).not.toContain('Agents in default');
    expect(widest(frame)).toBeLessThanOrEqual(79);
    await screen.press('j', '3');
    screen.resize(100, 23);
    await screen.waitFor('have 100x23');
    screen.resize(80, 24);
    frame = await screen.waitFor('Agents in default');
    // The keys pressed meanwhile did nothing: same screen, same selection.
    expect(frame).toMatch(/›hello/);
    expect(frame).toContain('[2 Agents]');
    expect(frame).not.toContain('too small');
  });

  it('starting in a small terminal shows the message first, then the app once it is big enough', async () => {
    const screen = await tui.show(new FakeStationClient(freshStation()), { columns: 60, rows: 30 });
    await screen.waitFor('terminal too small (need 80x24, have 60x30)');
    screen.resize(160, 45);
    expect(await screen.waitFor('Agents in default')).toContain('lister');
  });

  it('the Runs list at 80 columns keeps the basics; at 160 adds stop reason, start time, model and error', async () => {
    const station = freshStation();
    station.runs.push(
      runView({
        id: 1,
        agent: 'lister',
        status: 'completed',
        stopReason: 'max_steps',
        startedAt: '2026-03-04T05:06:00.000Z',
        tokens: { input: 1000, output: 234, total: 1234 },
      }),
      runView({
        id: 2,
        agent: 'file-explorer',
        status: 'failed',
        stopReason: 'error',
        model: 'big-model',
        error: { message: 'the model endpoint refused the key', code: 'MODEL_AUTH' },
      }),
    );
    const screen = await tui.show(new FakeStationClient(station), { screen: 'runs', columns: 80, rows: 24 });
    let frame = await screen.waitFor('#2');
    expect(headings(frame)).toMatch(/ID\s+AGENT\s+STATUS\s+AGE\s+TIME\s+STEPS\s+TOOLS\s+TOKENS$/);
    expect(frame).not.toContain('STOP');
    expect(widest(frame)).toBeLessThanOrEqual(80);

    screen.resize(160, 45);
    frame = await screen.waitFor('STARTED');
    expect(headings(frame)).toMatch(
      /ID\s+AGENT\s+STATUS\s+STOP\s+AGE\s+TIME\s+STEPS\s+TOOLS\s+TOKENS\s+STARTED\s+MODEL\s+ERROR/,
    );
    const started = new Date('2026-03-04T05:06:00.000Z');
    const two = (n: number): string => String(n).padStart(2, '0');
    const local = `${String(started.getFullYear())}-${two(started.getMonth() + 1)}-${two(started.getDate())} ${two(started.getHours())}:${two(started.getMinutes())}`;
    expect(frame).toMatch(
      new RegExp(`#1\\s+lister\\s+\\S+ max_steps\\s+max_steps\\s+.*1234\\s+${local}\\s+test-model`),
    );
    expect(frame).toMatch(/#2\s+file-explorer\s+✗ failed\s+error\s+.*big-model\s+the model endpoint refused/);
    // Not one very wide agent column: the agent name ends well before the status.
    const row = frame.split('\n').find((l) => l.includes('#1')) ?? '';
    expect(row.indexOf('max_steps')).toBeLessThan(45);
    expect(widest(frame)).toBeLessThanOrEqual(160);
  });

  it('a server stderr tail and error open in full at 80x24: long lines wrap, the rest scrolls', async () => {
    const station = freshStation();
    const long = `warning: ${'x'.repeat(150)} END-OF-LONG-LINE`;
    const tail = [...Array.from({ length: 30 }, (_, i) => `log line ${String(i + 1)}`), long, 'the last line'];
    station.servers = [
      serverView({
        name: 'filesystem',
        state: 'error',
        error: `exited with code 1: ${'y'.repeat(100)} END-OF-ERROR`,
        stderrTail: tail.join('\n'),
      }),
    ];
    const screen = await tui.show(new FakeStationClient(station), { screen: 'mcp', columns: 80, rows: 24 });
    let frame = await screen.waitFor('── stderr of filesystem (enter: all of it)');
    expect(frame).toContain('the last line');
    expect(frame).not.toContain('END-OF-LONG-LINE');
    await screen.press(KEYS.enter);
    frame = await screen.waitFor('stderr (tail):');
    expect(frame).toContain('END-OF-ERROR');
    expect(frame).toMatch(/lines 1-\d+ of \d+ · ↓ \d+ more/);
    expect(widest(frame)).toBeLessThanOrEqual(80);
    await screen.press('G');
    frame = await screen.waitFor('the last line');
    expect(frame).toContain('END-OF-LONG-LINE');
    expect(frame).toContain('log line 30');
    await screen.press('g');
    await screen.waitFor('END-OF-ERROR');
    await screen.press(KEYS.esc);
    await screen.waitFor('MCP servers in default');
  });

  it('a tool description longer than its line opens in full with enter', async () => {
    const station = freshStation();
    const description = `Reads a file. ${'It does many careful things. '.repeat(8)}FINAL-WORD`;
    station.tools.push(toolView({ server: 'filesystem', name: 'read_text_file', description }));
    const screen = await tui.show(new FakeStationClient(station), { screen: 'mcp', columns: 80, rows: 24 });
    await screen.waitFor('MCP servers');
    await screen.press('t');
    let frame = await screen.waitFor('(enter: in full, with its schema)');
    expect(frame).not.toContain('FINAL-WORD');
    await screen.press(KEYS.enter);
    frame = await screen.waitFor('Input schema:');
    expect(frame).toContain('FINAL-WORD');
    expect(widest(frame)).toBeLessThanOrEqual(80);
  });

  it('an error notice too long for the footer says e shows it, and e shows it in full', async () => {
    const station = freshStation();
    station.runs.push(runView({ id: 3, agent: 'hello', status: 'running' }));
    const client = new FakeStationClient(station);
    client.cancelRun = () =>
      Promise.reject(new Error(`cannot cancel run #3: ${'the server said no, '.repeat(6)}END-OF-NOTICE`));
    const screen = await tui.show(client, { screen: 'runs', columns: 80, rows: 24 });
    await screen.waitFor('#3');
    await screen.press('c');
    let frame = await screen.waitFor('(e: in full)');
    expect(frame).not.toContain('END-OF-NOTICE');
    await screen.press('e');
    frame = await screen.waitFor('Last error');
    expect(frame).toContain('END-OF-NOTICE');
    expect(frame).toContain('esc or e closes');
    await screen.press(KEYS.esc);
    await screen.waitFor('Runs (1/1)');
  });

  it('the help overlay at 80x24 wraps long lines and scrolls to its end', async () => {
    const screen = await tui.show(new FakeStationClient(freshStation()), { columns: 80, rows: 24 });
    await screen.waitFor('lister');
    await screen.press('?');
    let frame = await screen.waitFor('Everywhere');
    expect(frame).toMatch(/↓ \d+ more/);
    await screen.press('G');
    frame = await screen.waitFor('Close this help');
    // The longest help line goes on under itself rather than being cut.
    expect(frame).toMatch(/Start the servers now .*\n\s+status and stderr/);
    expect(widest(frame)).toBeLessThanOrEqual(80);
    await screen.press(KEYS.esc);
    await screen.waitFor('Agents in default');
  });
});

describe('wrapping and columns', () => {
  it('wrapText breaks at spaces, splits words longer than a line, keeps every character and the width', () => {
    expect(wrapText('the quick brown fox', 10)).toEqual(['the quick', 'brown fox']);
    expect(wrapText('abcdefghijkl', 5)).toEqual(['abcde', 'fghij', 'kl']);
    expect(wrapText('one\n\ntwo', 10)).toEqual(['one', '', 'two']);
    const text = `日本語のテキスト ${'word '.repeat(30)}\u001b[31mred\u001b[0m`;
    const lines = wrapText(text, 17);
    expect(lines.every((l) => stringWidth(l) <= 17)).toBe(true);
    expect(lines.join(' ').replace(/ +/g, ' ')).toBe(`日本語のテキスト ${'word '.repeat(30)}red`);
  });

  it('errorLines wraps a message under its ✗ and ends the last allowed row with …', () => {
    const lines = errorLines(`failed: ${'a b '.repeat(40)}END`, 30, 2);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^✗ failed: a b/);
    expect(lines[1]).toMatch(/^ {2}.*…$/);
    expect(lines.every((l) => stringWidth(l) <= 30)).toBe(true);
    expect(errorLines('short', 80)).toEqual(['✗ short']);
  });

  it('runsColumns adds wide columns only when the agent column keeps its room, and fills the width', () => {
    const total = (w: number, agent?: number): number => {
      const c = runsColumns(w, agent);
      return (
        1 +
        Object.values(c.cols).reduce((a, b) => a + b, 0) +
        c.agentWidth +
        Object.values(c.wide).reduce((a, b) => a + b, 0)
      );
    };
    expect(runsColumns(80).wide).toEqual({ stop: 0, started: 0, model: 0, error: 0 });
    expect(total(80)).toBe(80);
    const wide = runsColumns(160, 13);
    expect(wide.agentWidth).toBe(15);
    expect(wide.wide.stop).toBeGreaterThan(0);
    expect(wide.wide.error).toBeGreaterThanOrEqual(16);
    for (const w of [80, 100, 120, 140, 160, 200]) expect(total(w, 13)).toBe(w);
  });
});
