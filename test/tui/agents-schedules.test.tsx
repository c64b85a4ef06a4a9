import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../../src/tui/format.js';
import { formatIn, nextFire } from '../../src/tui/state/schedule-state.js';
import { agentView, FakeStationClient, freshStation, scheduleView } from './helpers/fake-client.js';
import { KEYS, screenPerTest } from './helpers/screen.js';
import { stationPerTest } from './helpers/station.js';

const widest = (f: string): number => Math.max(...f.split('\n').map((l) => Array.from(l).length));
const rowOf = (f: string, name: string): string => f.split('\n').find((l) => l.includes(name)) ?? '';
const headings = (f: string): string => f.split('\n').find((l) => l.includes('NAME') && l.includes('MODEL')) ?? '';

/** The fresh station with a scheduled agent (next fire in 4 minutes), a paused one and a disabled one. */
function scheduledStation(): FakeStationClient {
  const station = freshStation();
  station.agents.push(
    agentView({ name: 'nightly', description: 'Scans every night.' }),
    agentView({ name: 'paused-one', description: 'Paused by someone.' }),
    agentView({ name: 'off', description: 'Its schedule says enabled: false.' }),
  );
  const inFour = new Date(Date.now() + 4 * 60_000 + 20_000).toISOString();
  station.schedules.push(
    scheduleView({ agent: 'nightly', cron: '*/5 * * * *', timezone: 'Europe/Berlin', next: [inFour] }),
    scheduleView({
      agent: 'paused-one',
      paused: true,
      pausedAt: '2026-03-04T05:06:00.000Z',
      pausedBy: 'local:ops',
    }),
    scheduleView({ agent: 'off', enabled: false }),
  );
  return new FakeStationClient(station);
}

describe('next fire times on the Agents screen (StationClient fake, ink-testing-library)', () => {
  const tui = screenPerTest();

  it('shows the next fire of a scheduled agent, paused, disabled, and - for an unscheduled one; 80 columns fit', async () => {
    const screen = await tui.show(scheduledStation(), { columns: 80, rows: 24 });
    const frame = await screen.waitFor('in 4m');
    expect(headings(frame)).toMatch(/NAME\s+MODEL\s+TOOLS\s+LAST RUN\s+NEXT FIRE\s+DESCRIPTION/);
    expect(rowOf(frame, 'nightly')).toMatch(/nightly\s+default\s+0\s+-\s+in 4m\s+Scans/);
    expect(rowOf(frame, 'paused-one')).toMatch(/paused-one\s+.*-\s+paused\s+Paused/);
    expect(rowOf(frame, 'off')).toMatch(/off\s+.*-\s+disabled\s+Its/);
    expect(rowOf(frame, 'hello')).toMatch(/hello\s+default\s+0\s+-\s+-\s+A friendly/);
    expect(widest(frame)).toBeLessThanOrEqual(80);
  });

  it('wide terminals keep the column; without any schedule in the environment the column is left out', async () => {
    const screen = await tui.show(scheduledStation(), { columns: 160, rows: 40 });
    let frame = await screen.waitFor('in 4m');
    expect(headings(frame)).toContain('NEXT FIRE');
    expect(widest(frame)).toBeLessThanOrEqual(160);
    screen.unmount();

    const plain = await tui.show(new FakeStationClient(freshStation()), { columns: 80, rows: 24 });
    frame = await plain.waitFor('lister');
    expect(headings(frame)).toMatch(/LAST RUN\s+DESCRIPTION/);
    expect(frame).not.toContain('NEXT FIRE');
  });

  it('R loads the schedules again (a schedule paused meanwhile shows paused)', async () => {
    const client = scheduledStation();
    const screen = await tui.show(client, { columns: 100, rows: 24 });
    await screen.waitFor('in 4m');
    const nightly = client.data.schedules.find((s) => s.agent === 'nightly');
    if (nightly === undefined) throw new Error('no nightly schedule');
    Object.assign(nightly, { paused: true, next: [] });
    await screen.press('R');
    const frame = await screen.waitFor((f) => /nightly\s+.*paused/.test(rowOf(f, 'nightly')));
    expect(frame).not.toContain('in 4m');
  });

  it('once a shown next fire has passed, the schedules are read again on the next tick (no key pressed)', async () => {
    const client = scheduledStation();
    const nightly = client.data.schedules.find((s) => s.agent === 'nightly');
    if (nightly === undefined) throw new Error('no nightly schedule');
    nightly.next = [new Date(Date.now() + 1500).toISOString()];
    const screen = await tui.show(client, { columns: 100, rows: 24 });
    await screen.waitFor((f) => /nightly\s+.*(in \ds|due)/.test(rowOf(f, 'nightly')));
    // What the core says after that fire: the one after it.
    nightly.next = [new Date(Date.now() + 2 * 3_600_000 + 60_000).toISOString()];
    await screen.waitFor((f) => /nightly\s+.*in 2h/.test(rowOf(f, 'nightly')), 15_000);
  });

  it("an agent's detail shows its schedule line: cron, timezone, next fire, or paused", async () => {
    const screen = await tui.show(scheduledStation(), { columns: 100, rows: 30 });
    await screen.waitFor('in 4m');
    // Agents are sorted: file-explorer, hello, lister, nightly, off, paused-one.
    await screen.press('j', 'j', 'j', KEYS.enter);
    let frame = await screen.waitFor('schedule: */5 * * * *', 5000);
    expect(frame).toMatch(
      /schedule: \*\/5 \* \* \* \*\s+timezone: Europe\/Berlin\s+next fire: in 4m \(\d{4}-\d\d-\d\d \d\d:\d\d\)/,
    );
    await screen.press(KEYS.esc);
    await screen.waitFor((f) => f.includes('NEXT FIRE') && f.includes('›nightly'), 5000);
    await screen.press('j', 'j', KEYS.enter);
    frame = await screen.waitFor('paused by local:ops', 5000);
    expect(frame).toContain(
      `schedule: 0 * * * *   timezone: local   paused by local:ops at ${formatDateTime('2026-03-04T05:06:00.000Z')}`,
    );
    await screen.press(KEYS.esc);
    await screen.waitFor((f) => f.includes('NEXT FIRE') && f.includes('›paused-one'), 5000);
    await screen.press('k', 'k', 'k', KEYS.enter);
    frame = await screen.waitFor('max steps: 5', 5000);
    expect(frame).toContain('lister');
    expect(frame).not.toContain('schedule:');
  });
});

describe('next fire text', () => {
  const now = Date.parse('2026-12-07T10:00:00.000Z');
  const at = (ms: number): string => new Date(now + ms).toISOString();

  it('is relative within a day, a weekday and time within a week, then a date; due once past', () => {
    expect(formatIn(at(40_000), now)).toBe('in 40s');
    expect(formatIn(at(4 * 60_000), now)).toBe('in 4m');
    expect(formatIn(at(2 * 3_600_000 + 60_000), now)).toBe('in 2h');
    const inThreeDays = new Date(now + 3 * 86_400_000);
    const two = (n: number): string => String(n).padStart(2, '0');
    expect(formatIn(inThreeDays.toISOString(), now)).toBe(
      `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][inThreeDays.getDay()] ?? ''} ${two(inThreeDays.getHours())}:${two(inThreeDays.getMinutes())}`,
    );
    expect(formatIn(at(30 * 86_400_000), now)).toMatch(/^[A-Z][a-z]{2} \d{1,2}$/);
    expect(formatIn(at(-1000), now)).toBe('due');
  });

  it('says disabled before paused, and - without a schedule', () => {
    expect(nextFire(undefined, now)).toEqual({ text: '-', state: 'none' });
    expect(nextFire(scheduleView({ agent: 'a', enabled: false, paused: true }), now).text).toBe('disabled');
    expect(nextFire(scheduleView({ agent: 'a', paused: true }), now).text).toBe('paused');
    expect(nextFire(scheduleView({ agent: 'a', next: [at(90 * 60_000)] }), now).text).toBe('in 2h');
  });
});

describe('next fire times from a real Station (LocalClient over the application layer)', { timeout: 60_000 }, () => {
  const tui = stationPerTest();

  it('a schedule in the agent file shows its next fire; pausing it through the api shows paused after R', async () => {
    const station = await tui.open();
    writeFileSync(
      join(station.home.paths.environments, 'default', 'agents', 'daily.prompt'),
      '---\nmetadata:\n  name: daily\n  description: Runs every day.\nschedule:\n  cron: "0 9 * * *"\n---\nHello.\n',
    );
    const next = station.app.local('cli').schedules.show('default', 'daily').next[0];
    expect(next).toBeDefined();
    const screen = await tui.show(station.client, { columns: 80, rows: 24 });
    let frame = await screen.waitFor('NEXT FIRE');
    expect(rowOf(frame, 'daily')).toContain(formatIn(next ?? '', Date.now()));
    expect(rowOf(frame, 'lister')).toMatch(/lister\s+test-model\s+1\s+-\s+-\s+Lists/);
    expect(widest(frame)).toBeLessThanOrEqual(80);

    station.app.local('cli').schedules.pause('default', 'daily');
    await screen.press('R');
    frame = await screen.waitFor((f) => rowOf(f, 'daily').includes('paused'));
    expect(widest(frame)).toBeLessThanOrEqual(80);
  });
});
