import { describe, expect, it } from 'vitest';
import {
  BINDINGS,
  NO_KEY,
  footerHints,
  helpSections,
  matchesKey,
  resolveKey,
  type KeyInfo,
} from '../../src/tui/keymap.js';

const none: KeyInfo = NO_KEY;
const key = (k: Partial<KeyInfo>): KeyInfo => ({ ...none, ...k });

describe('keymap', () => {
  it('resolves global keys: q, ?, digits, tab and shift-tab', () => {
    expect(resolveKey('global', 'q', none)).toBe('quit');
    expect(resolveKey('global', 'c', key({ ctrl: true }))).toBe('quit');
    expect(resolveKey('global', '?', none)).toBe('help');
    expect(resolveKey('global', '3', none)).toBe('screen-3');
    expect(resolveKey('global', '', key({ tab: true }))).toBe('next-screen');
    expect(resolveKey('global', '', key({ tab: true, shift: true }))).toBe('prev-screen');
    expect(resolveKey('global', 'x', none)).toBeUndefined();
  });

  it('arrows and j/k move in lists; a screen binding shadows the generic one', () => {
    expect(resolveKey(['runs', 'list'], 'j', none)).toBe('down');
    expect(resolveKey(['runs', 'list'], '', key({ upArrow: true }))).toBe('up');
    expect(resolveKey(['runs', 'list'], 's', none)).toBe('status-filter');
    expect(resolveKey(['environments', 'list'], 's', none)).toBe('sync');
    expect(resolveKey(['environments', 'list'], '', key({ return: true }))).toBe('use-env');
    expect(resolveKey(['agents', 'list'], '', key({ return: true }))).toBe('open');
    expect(resolveKey(['agents', 'list'], '/', none)).toBe('filter');
    expect(resolveKey(['agents', 'list'], '', key({ escape: true }))).toBe('back');
  });

  it('a letter with ctrl or meta is not the plain letter', () => {
    expect(matchesKey('q', 'q', key({ ctrl: true }))).toBe(false);
    expect(matchesKey('ctrl+s', 's', key({ ctrl: true }))).toBe(true);
    expect(matchesKey('G', 'g', none)).toBe(false);
  });

  it('trace keys: enter expands, c cancels, f follows, G goes to the end', () => {
    expect(resolveKey('trace', '', key({ return: true }))).toBe('expand');
    expect(resolveKey('trace', 'c', none)).toBe('cancel');
    expect(resolveKey('trace', 'f', none)).toBe('follow');
    expect(resolveKey('trace', 'G', none)).toBe('bottom');
  });

  it('the footer of a scope lists exactly its bindings that are meant for the footer', () => {
    const hints = footerHints(['runs', 'list']);
    const labels = hints.map((h) => h.label);
    expect(labels).toEqual(expect.arrayContaining(['open', 'cancel run', 'status', 'agent', 'filter', 'back']));
    expect(labels).not.toContain('sync');
    expect(labels).not.toContain('up');
    expect(hints.find((h) => h.label === 'open')?.keys).toBe('enter');
  });

  it('the help overlay shows every binding once', () => {
    const rows = helpSections().flatMap((s) => s.rows);
    expect(rows).toHaveLength(BINDINGS.length);
    expect(rows.some((r) => r.keys === 'q ^C')).toBe(true);
  });

  it('no two bindings of one scope share a key', () => {
    const seen = new Map<string, string>();
    for (const binding of BINDINGS) {
      for (const scope of binding.scopes) {
        for (const k of binding.keys) {
          const id = `${scope}:${k}`;
          expect(seen.get(id), `${id} bound to ${binding.action} and ${seen.get(id) ?? ''}`).toBeUndefined();
          seen.set(id, binding.action);
        }
      }
    }
  });
});
