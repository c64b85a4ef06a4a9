import { describe, expect, it } from 'vitest';
import type { AgentView, RunQuery, RunView, ScheduleView } from '../../src/tui/client/station-client.js';
import { FakeStationClient, freshStation } from './helpers/fake-client.js';
import { screenPerTest } from './helpers/screen.js';

/**
 * The in-memory client whose data arrives only when the test says so (a slow store, a remote server far
 * away): what it answers is the fake's, held back until release().
 */
class HeldClient extends FakeStationClient {
  private readonly held: (() => void)[] = [];
  asked = 0;

  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }

  override agents(env: string): Promise<AgentView[]> {
    return this.hold(() => super.agents(env));
  }

  override schedules(env: string): Promise<ScheduleView[]> {
    return this.hold(() => super.schedules(env));
  }

  override runs(query: RunQuery): Promise<RunView[]> {
    return this.hold(() => super.runs(query));
  }

  private hold<T>(answer: () => Promise<T>): Promise<T> {
    this.asked++;
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
});
