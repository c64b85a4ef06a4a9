import { describe, expect, it, vi } from 'vitest';
import type { AgentView, RunQuery, RunView, ScheduleView } from '../../src/tui/client/station-client.js';
import { startFirstLoads } from '../../src/tui/app/first-frame.js';
import { FakeStationClient, freshStation } from './helpers/fake-client.js';
import { screenPerTest } from './helpers/screen.js';

/**
 * The in-memory client whose data arrives only when the test says so (a slow store, a remote server far
 * away): what it answers is the fake's, held back until release().
 */
class HeldClient extends FakeStationClient {
  private readonly held: (() => void)[] = [];
  asked = 0;
  /** What was asked for, in order. */
  readonly askedFor: string[] = [];

  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }

  override agents(env: string): Promise<AgentView[]> {
    return this.hold('agents', () => super.agents(env));
  }

  override schedules(env: string): Promise<ScheduleView[]> {
    return this.hold('schedules', () => super.schedules(env));
  }

  override runs(query: RunQuery): Promise<RunView[]> {
    return this.hold('runs', () => super.runs(query));
  }

  private hold<T>(what: string, answer: () => Promise<T>): Promise<T> {
    this.asked++;
    this.askedFor.push(what);
    return new Promise<void>((resolve) => this.held.push(resolve)).then(answer);
  }
}

describe('TUI first frame', { timeout: 60_000 }, () => {
  const tui = screenPerTest();

  it('draws the chrome (header, screen frame, key footer) before the data arrives, then fills it in place', async () => {
    const client = new HeldClient(freshStation());
    const screen = await tui.show(client);
    const first = await screen.waitFor('? help');
    // Asked, not answered: the frame is all there is.
    expect(client.asked).toBeGreaterThan(0);
    const lines = first.split('\n');
    expect(lines[0]).toMatch(/^ Station │ env: default │ local \/fake\/station/);
    expect(first).toContain('[2 Agents]');
    expect(first).toContain('Agents in default');
    expect(first).toMatch(/NAME\s+MODEL\s+TOOLS\s+LAST RUN\s+DESCRIPTION/);
    expect(first).toContain('Loading…');
    expect(first).not.toContain('file-explorer');

    client.release();
    const filled = await screen.waitFor('file-explorer');
    expect(filled).not.toContain('Loading…');
    // The data fills the frame without moving it: the same rows hold the header, title, headings and footer.
    const after = filled.split('\n');
    expect(after).toHaveLength(lines.length);
    const title = lines.findIndex((l) => l.includes('Agents in default'));
    expect(after[title]).toContain('Agents in default');
    expect(after[title + 1]).toBe(lines[title + 1]);
    expect(after[0]).toBe(lines[0]);
    expect(after.slice(-2)).toEqual(lines.slice(-2));
  });

  it('asks for the schedules once the agents are there: reading every agent file does not hold the list back', async () => {
    const client = new HeldClient(freshStation());
    const screen = await tui.show(client);
    await screen.waitFor('? help');
    expect(client.askedFor).toContain('agents');
    expect(client.askedFor).not.toContain('schedules');

    client.release();
    await screen.waitFor('file-explorer');
    await vi.waitFor(() => {
      expect(client.askedFor).toContain('schedules');
    });
    client.release();
  });

  it('opens on the full screen when the first loads (agents, runs) answered before the first frame, and does not ask again', async () => {
    const client = new HeldClient(freshStation());
    const firstLoads = startFirstLoads(client, 'default', 'agents');
    expect(client.askedFor).toEqual(['runs', 'agents']);
    client.release();
    await firstLoads.settle(10_000);
    const screen = await tui.show(client, { firstLoads });
    const [first] = screen.frames();
    expect(first).toContain('file-explorer');
    expect(first).toContain('? help');
    expect(screen.frames().some((f) => f.includes('Loading…'))).toBe(false);
    // The schedules come after, as ever; the agents and the runs were not asked for twice.
    await vi.waitFor(() => {
      expect(client.askedFor).toContain('schedules');
    });
    client.release();
    expect(client.askedFor.filter((w) => w !== 'schedules')).toEqual(['runs', 'agents']);
  });

  it('draws the chrome at once when the first loads have not answered, then fills it in from those same loads', async () => {
    const client = new HeldClient(freshStation());
    const firstLoads = startFirstLoads(client, 'default', 'agents');
    await firstLoads.settle(20); // a server far away: gives up waiting
    const screen = await tui.show(client, { firstLoads });
    const first = await screen.waitFor('? help');
    expect(first).toContain('Loading…');
    expect(first).not.toContain('file-explorer');

    client.release();
    await screen.waitFor('file-explorer');
    await vi.waitFor(() => {
      expect(client.askedFor).toContain('schedules');
    });
    client.release();
    expect(client.askedFor.filter((w) => w !== 'schedules')).toEqual(['runs', 'agents']);
  });

  it('a first load that failed (even before its promise) shows its error in the screen, as a later load would', async () => {
    const client = new (class extends FakeStationClient {
      override agents(): Promise<never> {
        throw new Error('agents file unreadable');
      }
    })(freshStation());
    const firstLoads = startFirstLoads(client, 'default', 'agents');
    await firstLoads.settle(10_000);
    const screen = await tui.show(client, { firstLoads });
    await screen.waitFor('agents file unreadable');
  });
});
