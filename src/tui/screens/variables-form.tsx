import { Box, Text } from 'ink';
import { useReducer, type ReactNode } from 'react';
import type { MissingVariableView } from '../client/station-client.js';
import { ErrorLine } from '../components/error-line.js';
import { TextField } from '../components/text-field.js';
import { fit, truncate } from '../format.js';
import { useFormKeys } from '../hooks/use-form-keys.js';
import { formReducer } from '../state/form-state.js';
import { formFromVariables, variableAnswers } from '../state/variables-form.js';
import type { Theme } from '../theme.js';

/**
 * The variables a sync (or a bundle install) needs and nothing gives, one field each (secret ones masked,
 * defaults filled in), as `stn sync` and `stn bundle install` ask for them on a terminal. Enter on the last
 * field (or ^S) hands the answers over to the core, which saves them; esc cancels.
 */
export function VariablesForm({
  env,
  missing,
  defaults = {},
  doing = 'sync',
  theme,
  width,
  height,
  active,
  onSubmit,
  onCancel,
}: {
  env: string;
  missing: readonly MissingVariableView[];
  /** Values filled in to start with (a bundle's declared defaults). */
  defaults?: Readonly<Record<string, string>>;
  /** What the answers are for. */
  doing?: 'sync' | 'install';
  theme: Theme;
  width: number;
  height: number;
  active: boolean;
  onSubmit: (answers: Record<string, string>) => void;
  onCancel: () => void;
}): ReactNode {
  const [form, formDispatch] = useReducer(formReducer, undefined, () => formFromVariables(missing, defaults));

  useFormKeys({
    scope: 'variables',
    form,
    dispatch: formDispatch,
    active,
    onBack: onCancel,
    onSubmit: () => {
      const parsed = variableAnswers(form);
      if (parsed.ok) onSubmit(parsed.answers);
      else formDispatch({ type: 'invalid', fieldErrors: parsed.fieldErrors });
    },
    enterAdvances: true,
  });

  const labelWidth = Math.min(30, Math.max(12, ...form.fields.map((f) => f.name.length + 4)));
  const n = form.fields.length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold {...(theme.accent !== undefined ? { color: theme.accent } : {})}>
        {truncate(
          `${doing === 'install' ? 'Install' : 'Sync'} ${env}: ${n === 1 ? 'a variable has' : `${String(n)} variables have`} no value`,
          width,
        )}
      </Text>
      <Text dimColor>
        {truncate(
          `Secrets go to the secret store, the rest to variables.yml (as stn ${doing === 'install' ? 'bundle install' : 'sync'}).`,
          width,
        )}
      </Text>
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
      <Text dimColor>
        {truncate(
          `enter on the last field saves and ${doing === 'install' ? 'installs' : 'syncs'} · esc cancels, nothing saved`,
          width,
        )}
      </Text>
    </Box>
  );
}
