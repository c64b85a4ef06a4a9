import { Box, Text } from 'ink';
import { useReducer, type ReactNode } from 'react';
import type { MissingVariableView } from '../client/station-client.js';
import { ErrorLine } from '../components/error-line.js';
import { TextField } from '../components/text-field.js';
import { fit, truncate } from '../format.js';
import { useKeys } from '../hooks/use-keys.js';
import { resolveKey } from '../keymap.js';
import { formReducer } from '../state/form-state.js';
import { textEditFor } from '../state/text-edit.js';
import { formFromVariables, variableAnswers } from '../state/variables-form.js';
import type { Theme } from '../theme.js';

/**
 * The variables a sync needs and nothing gives, one field each (secret ones masked), as `stn sync` asks
 * for them on a terminal. Enter on the last field (or ^S) hands the answers over; esc cancels.
 */
export function VariablesForm({
  env,
  missing,
  theme,
  width,
  height,
  active,
  onSubmit,
  onCancel,
}: {
  env: string;
  missing: readonly MissingVariableView[];
  theme: Theme;
  width: number;
  height: number;
  active: boolean;
  onSubmit: (answers: Record<string, string>) => void;
  onCancel: () => void;
}): ReactNode {
  const [form, formDispatch] = useReducer(formReducer, missing, formFromVariables);

  useKeys(
    (input, key) => {
      const action = resolveKey('variables', input, key);
      if (action === 'back') onCancel();
      else if (action === 'next-field') formDispatch({ type: 'focus', delta: 1 });
      else if (action === 'prev-field') formDispatch({ type: 'focus', delta: -1 });
      else if (action === 'submit') {
        // Enter moves on to the next field; on the last one (or with ^S) it submits.
        if (key.return && form.focus < form.fields.length - 1) {
          formDispatch({ type: 'focus', delta: 1 });
          return;
        }
        const parsed = variableAnswers(form);
        if (parsed.ok) onSubmit(parsed.answers);
        else formDispatch({ type: 'invalid', fieldErrors: parsed.fieldErrors });
      } else if (action === undefined) {
        const edit = textEditFor(input, key);
        if (edit !== undefined) formDispatch({ type: 'edit', edit });
      }
    },
    { isActive: active },
  );

  const labelWidth = Math.min(30, Math.max(12, ...form.fields.map((f) => f.name.length + 4)));
  const n = form.fields.length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold {...(theme.accent !== undefined ? { color: theme.accent } : {})}>
        {truncate(`Sync ${env}: ${n === 1 ? 'a variable has' : `${String(n)} variables have`} no value`, width)}
      </Text>
      <Text dimColor>{truncate('Answers are saved to variables.yml (mode 0600), as stn sync saves them.', width)}</Text>
      {form.fields.map((field, i) => {
        const focused = i === form.focus;
        return (
          <Box key={field.name} flexDirection="column">
            <Box height={1}>
              <Text bold={focused}>{fit(`${focused ? '›' : ' '} ${field.name}`, labelWidth)}</Text>
              <TextField
                value={field.value}
                active={active && focused}
                masked={field.secret === true}
                placeholder={field.secret === true ? 'secret (input hidden)' : 'value'}
              />
            </Box>
            {field.error !== null ? (
              <ErrorLine message={field.error} theme={theme} width={width} indent={labelWidth} />
            ) : focused && field.description !== '' ? (
              <Text dimColor>{truncate(`${' '.repeat(labelWidth)}${field.description}`, width)}</Text>
            ) : null}
          </Box>
        );
      })}
      <Box flexGrow={1} />
      <Text dimColor>{truncate('enter on the last field saves and syncs · esc cancels, nothing saved', width)}</Text>
    </Box>
  );
}
