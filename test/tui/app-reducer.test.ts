import { describe, expect, it } from 'vitest';
import {
  activeListId,
  appReducer,
  initialAppState,
  isTextEntry,
  statusesFor,
  type AppAction,
  type AppState,
} from '../../src/tui/app/reducer.js';

const start = (): AppState => initialAppState({ environment: 'default' });
const run = (state: AppState, ...actions: AppAction[]): AppState => actions.reduce(appReducer, state);

describe('app reducer', () => {
  it('opens on the Agents screen of the given environment at 80x24 unless told the size', () => {
    const s = start();
    expect(s.screen).toBe('agents');
    expect(s.environment).toBe('default');
    expect(s.size).toEqual({ columns: 80, rows: 24 });
  });

  it('switches screens by id and cycles with tab in both directions', () => {
    let s = run(start(), { type: 'screen', screen: 'mcp' });
    expect(s.screen).toBe('mcp');
    s = run(s, { type: 'cycle-screen', delta: 1 });
    expect(s.screen).toBe('environments');
    s = run(s, { type: 'cycle-screen', delta: -1 }, { type: 'cycle-screen', delta: -1 });
    expect(s.screen).toBe('trace');
  });

  it('agent list -> detail -> form, and esc walks back one level at a time', () => {
    let s = run(start(), { type: 'open-agent', name: 'hello' }, { type: 'open-form', name: 'hello' });
    expect(s.agentPane).toEqual({ kind: 'form', name: 'hello' });
    expect(isTextEntry(s)).toBe(true);
    s = run(s, { type: 'back' });
    expect(s.agentPane).toEqual({ kind: 'detail', name: 'hello' });
    expect(isTextEntry(s)).toBe(false);
    s = run(s, { type: 'back' });
    expect(s.agentPane).toEqual({ kind: 'list' });
  });

  it('starting a run from the form opens its trace; esc returns to the agent detail', () => {
    let s = run(start(), { type: 'open-form', name: 'hello' }, { type: 'open-trace', runId: 7, from: 'agents' });
    expect(s.screen).toBe('trace');
    expect(s.trace).toEqual({ runId: 7, returnTo: 'agents' });
    s = run(s, { type: 'back' });
    expect(s.screen).toBe('agents');
    expect(s.agentPane).toEqual({ kind: 'detail', name: 'hello' });
  });

  it('esc clears a list filter before it goes back', () => {
    let s = run(
      start(),
      { type: 'screen', screen: 'runs' },
      { type: 'list', id: 'runs', action: { type: 'filter-start' } },
    );
    expect(isTextEntry(s)).toBe(true);
    s = run(
      s,
      { type: 'list', id: 'runs', action: { type: 'filter-set', text: 'hel' } },
      { type: 'list', id: 'runs', action: { type: 'filter-keep' } },
    );
    expect(isTextEntry(s)).toBe(false);
    expect(s.lists.runs.filter).toBe('hel');
    s = run(s, { type: 'back' });
    expect(s.lists.runs.filter).toBe('');
    expect(s.screen).toBe('runs');
  });

  it('switching environment resets what belongs to the old one and says so', () => {
    let s = run(
      start(),
      { type: 'open-agent', name: 'x' },
      { type: 'list', id: 'agents', action: { type: 'select', index: 3, total: 10, height: 5 } },
    );
    s = run(s, { type: 'use-environment', name: 'staging' });
    expect(s.environment).toBe('staging');
    expect(s.agentPane).toEqual({ kind: 'list' });
    expect(s.lists.agents.cursor).toBe(0);
    expect(s.notice?.text).toContain('staging');
    expect(run(s, { type: 'use-environment', name: 'staging' })).toBe(s);
  });

  it('the runs filters cycle: status through all values, agent through the agents seen', () => {
    let s = start();
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      s = run(s, { type: 'runs-status-filter' });
      seen.push(s.runsFilter.status);
    }
    expect(seen).toEqual(['active', 'completed', 'failed', 'cancelled', 'all']);
    expect(statusesFor('active')).toEqual(['queued', 'running']);
    expect(statusesFor('all')).toBeUndefined();
    const agents = ['b', 'a', 'b'];
    s = run(s, { type: 'runs-agent-filter', agents });
    expect(s.runsFilter.agent).toBe('a');
    s = run(s, { type: 'runs-agent-filter', agents }, { type: 'runs-agent-filter', agents });
    expect(s.runsFilter.agent).toBeNull();
  });

  it('the MCP screen toggles between servers and tools, each with its own list', () => {
    let s = run(start(), { type: 'screen', screen: 'mcp' });
    expect(activeListId(s)).toBe('mcp-servers');
    s = run(s, { type: 'mcp-pane' });
    expect(activeListId(s)).toBe('mcp-tools');
    s = run(s, { type: 'mcp-detail', open: true });
    expect(activeListId(s)).toBeUndefined();
    s = run(s, { type: 'back' });
    expect(s.mcpDetail).toBe(false);
  });

  it('resize keeps the same state object when the size did not change', () => {
    const s = start();
    expect(appReducer(s, { type: 'resize', columns: 80, rows: 24 })).toBe(s);
    expect(appReducer(s, { type: 'resize', columns: 120, rows: 40 }).size).toEqual({ columns: 120, rows: 40 });
  });
});
