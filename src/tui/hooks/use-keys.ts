import { useInput, type Key } from 'ink';
import { NO_KEY as NO_KEY_INFO } from '../keymap.js';
import { createContext, useContext, useEffect, useLayoutEffect, useRef } from 'react';

export interface Press {
  input: string;
  key: Key;
}

const NO_KEY: Key = { ...NO_KEY_INFO, super: false, hyper: false, capsLock: false, numLock: false };

/** The press one character of a bunched chunk stands for (enter, tab, backspace, ^X, or text). */
function pressOf(ch: string): Press {
  if (ch === '\r' || ch === '\n') return { input: '', key: { ...NO_KEY, return: true } };
  if (ch === '\t') return { input: '', key: { ...NO_KEY, tab: true } };
  if (ch === '\u007f' || ch === '\b') return { input: '', key: { ...NO_KEY, backspace: true } };
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 1 && code <= 26) return { input: String.fromCodePoint(code + 96), key: { ...NO_KEY, ctrl: true } };
  return { input: ch, key: { ...NO_KEY, shift: /[A-Z]/.test(ch) } };
}

/**
 * The key presses a chunk of input stands for. Ink hands over what arrives together as one input: keys
 * typed quickly, or bunched by an SSH link ("jj", "/list", "j\r"), arrive as one string. A chunk without
 * escape sequences is split into one press per character.
 */
export function splitPresses(input: string, key: Key): Press[] {
  if (input.length <= 1 || key.ctrl || key.meta || input.includes('\u001b')) return [{ input, key }];
  const chars = Array.from(input);
  return chars.length <= 1 ? [{ input, key }] : chars.map(pressOf);
}

type Handler = (input: string, key: Key) => void;

interface Registration {
  handler: Handler;
  active: boolean;
}

/**
 * The one input pipeline of the app. Ink's single `useInput` feeds it; panes register their handlers
 * with `useKeys(handler, {isActive})`. Each press goes to every active handler, and the next press of a
 * bunched chunk waits for the commit the previous one caused (or, if it changed nothing, a short moment),
 * so every handler sees the state the previous key produced, in order, across panes.
 */
export class KeyRouter {
  private readonly registrations = new Set<Registration>();
  private readonly queue: Press[] = [];
  private waiting = false;
  private next: NodeJS.Immediate | undefined;
  private fallback: NodeJS.Timeout | undefined;
  private stopped = false;

  register(registration: Registration): () => void {
    this.registrations.add(registration);
    return () => this.registrations.delete(registration);
  }

  /** Input from Ink: queued as presses and handled in order. */
  feed = (input: string, key: Key): void => {
    this.queue.push(...splitPresses(input, key));
    if (!this.waiting) this.step();
  };

  /** A component committed: the press that caused it is done; the next may go. */
  committed(): void {
    if (this.waiting && this.queue.length > 0 && this.next === undefined && !this.stopped) {
      this.next = setImmediate(() => {
        this.step();
      });
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.next !== undefined) clearImmediate(this.next);
    if (this.fallback !== undefined) clearTimeout(this.fallback);
    this.queue.length = 0;
  }

  private step(): void {
    if (this.fallback !== undefined) clearTimeout(this.fallback);
    this.next = undefined;
    this.fallback = undefined;
    const press = this.queue.shift();
    if (press === undefined || this.stopped) {
      this.waiting = false;
      return;
    }
    this.waiting = true;
    for (const r of [...this.registrations]) if (r.active) r.handler(press.input, press.key);
    if (this.queue.length > 0) {
      this.fallback = setTimeout(() => {
        this.step();
      }, 25);
    } else {
      this.waiting = false;
    }
  }
}

export const KeyRouterContext = createContext<KeyRouter | null>(null);

/** Feeds Ink's input into the router (the app's only `useInput`). */
export function useKeyRouter(router: KeyRouter): void {
  useInput(router.feed);
  useEffect(
    () => () => {
      router.stop();
    },
    [router],
  );
}

/**
 * A pane's key handler, like Ink's `useInput(handler, {isActive})`, through the app's key router: the
 * handler and the active flag are swapped at commit, so the next key is handled with the new state.
 */
export function useKeys(handler: Handler, options: { isActive: boolean }): void {
  const router = useContext(KeyRouterContext);
  if (router === null) throw new Error('useKeys needs a KeyRouterContext provider (the app root)');
  useRouterKeys(router, handler, options);
}

/** useKeys with the router given (for the root, which provides the router to the panes). */
export function useRouterKeys(router: KeyRouter, handler: Handler, options: { isActive: boolean }): void {
  const registration = useRef<Registration>({ handler, active: options.isActive });
  useLayoutEffect(() => router.register(registration.current), [router]);
  useLayoutEffect(() => {
    registration.current.handler = handler;
    registration.current.active = options.isActive;
    router.committed();
  });
}
