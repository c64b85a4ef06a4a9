import { Text, useInput } from 'ink';
import type { ReactNode } from 'react';
import { resolveKey, type Scope } from '../keymap.js';

export interface TextInputProps {
  value: string;
  onChange: (value: string) => void;
  /** Keys of this scope (enter, esc, tab, ...) are passed to onKey instead of being typed. */
  scope: Scope;
  onKey: (action: NonNullable<ReturnType<typeof resolveKey>>) => void;
  isActive: boolean;
  placeholder?: string;
  /** Show a block cursor at the end when active. */
  cursor?: boolean;
}

/** The text a key press adds: printable characters only (pastes arrive whole). */
export function typedText(input: string): string {
  // eslint-disable-next-line no-control-regex
  return input.replace(/[\u0000-\u001f\u007f]/g, '');
}

/**
 * A one-line text field. Typing edits the end of the value; backspace deletes; ^U clears. The scope's
 * bindings (enter, esc, tab, ...) go to `onKey`.
 */
export function TextInput({ value, onChange, scope, onKey, isActive, placeholder = '', cursor = true }: TextInputProps): ReactNode {
  useInput(
    (input, key) => {
      const action = resolveKey(scope, input, key);
      if (action !== undefined) {
        onKey(action);
        return;
      }
      if (key.backspace || key.delete) {
        onChange(value.replace(/[\s\S]$/u, ''));
        return;
      }
      if (key.ctrl && input === 'u') {
        onChange('');
        return;
      }
      if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab || key.escape || key.return) return;
      const text = typedText(input);
      if (text !== '') onChange(value + text);
    },
    { isActive },
  );
  if (value === '' && !isActive) return <Text dimColor>{placeholder}</Text>;
  return (
    <Text>
      {value}
      {isActive && cursor ? <Text inverse> </Text> : null}
    </Text>
  );
}
