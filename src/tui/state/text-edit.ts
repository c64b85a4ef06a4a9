import type { KeyInfo } from '../keymap.js';

/** What a key press does to a text field being typed in. */
export type TextEdit = { type: 'append'; text: string } | { type: 'erase' } | { type: 'clear' };

/**
 * The edit a key press means for a text field, if any: printable characters (a paste arrives whole)
 * append, backspace erases the last character, ^U clears. Edits are applied by reducers, so keys typed
 * faster than the screen redraws are never lost.
 */
export function textEditFor(input: string, key: KeyInfo): TextEdit | undefined {
  if (key.backspace || key.delete) return { type: 'erase' };
  if (key.ctrl && input === 'u') return { type: 'clear' };
  if (
    key.ctrl ||
    key.meta ||
    key.upArrow ||
    key.downArrow ||
    key.leftArrow ||
    key.rightArrow ||
    key.tab ||
    key.escape ||
    key.return
  )
    return undefined;
  // eslint-disable-next-line no-control-regex
  const text = input.replace(/[\u0000-\u001f\u007f]/g, '');
  return text === '' ? undefined : { type: 'append', text };
}

/** Applies an edit to a value. */
export function applyTextEdit(value: string, edit: TextEdit): string {
  switch (edit.type) {
    case 'append':
      return value + edit.text;
    case 'erase':
      return value.replace(/[\s\S]$/u, '');
    case 'clear':
      return '';
  }
}
