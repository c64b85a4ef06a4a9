import { Text } from 'ink';
import type { ReactNode } from 'react';

/** A one-line text field (display only: the screen's key handler edits it); `masked` shows • for each character. */
export function TextField({
  value,
  active,
  placeholder = '',
  masked = false,
}: {
  value: string;
  active: boolean;
  placeholder?: string;
  masked?: boolean;
}): ReactNode {
  if (value === '' && !active) return <Text dimColor>{placeholder}</Text>;
  return (
    <Text>
      {masked ? '•'.repeat(Array.from(value).length) : value}
      {active ? <Text inverse> </Text> : null}
    </Text>
  );
}
