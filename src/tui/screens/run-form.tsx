import { Box, Text } from 'ink';
import { useEffect, useReducer, type ReactNode } from 'react';
import { TextField } from '../components/text-field.js';
import { errorText, fieldErrorsOf } from '../client/errors.js';
import { fit, truncate } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { formFromSchema, formInput, formReducer, type FormState } from '../state/form-state.js';
import type { ScreenProps } from './screen-props.js';
import { useFormKeys } from '../hooks/use-form-keys.js';
import { ErrorLine } from '../components/error-line.js';

const EMPTY: FormState = { fields: [], focus: 0, submitting: false, error: null };

/** The run form: one field per input property; enter (or ^S) starts the run and opens its trace. */
export function RunForm({
  app,
  dispatch,
  client,
  theme,
  width,
  height,
  active,
  name,
}: ScreenProps & { name: string }): ReactNode {
  const env = app.environment;
  const agent = useAsync(() => client.agent(env, name), `agent:${env}:${name}`);
  const [form, formDispatch] = useReducer(formReducer, EMPTY);
  const schema = agent.data?.inputSchema;
  useEffect(() => {
    if (schema !== undefined) formDispatch({ type: 'init', form: formFromSchema(schema) });
  }, [schema]);

  const submit = (): void => {
    const parsed = formInput(form);
    if (!parsed.ok) {
      formDispatch({ type: 'invalid', fieldErrors: parsed.fieldErrors });
      return;
    }
    formDispatch({ type: 'submitting' });
    client.startRun(env, name, parsed.input).then(
      (run) => {
        dispatch({ type: 'open-trace', runId: run.id, from: 'agents' });
      },
      (error: unknown) => {
        formDispatch({ type: 'failed', error: errorText(error), fieldErrors: fieldErrorsOf(error) });
      },
    );
  };

  useFormKeys({
    scope: 'form',
    form,
    dispatch: formDispatch,
    active,
    onBack: () => dispatch({ type: 'back' }),
    onSubmit: submit,
    locked: form.fields.length === 0 || form.submitting,
  });

  const labelWidth = Math.min(26, Math.max(10, ...form.fields.map((f) => f.name.length + 5)));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold {...(theme.accent !== undefined ? { color: theme.accent } : {})}>
        {truncate(`Run ${name} in ${env}`, width)}
      </Text>
      {agent.error !== null ? <ErrorLine message={agent.error} theme={theme} width={width} /> : null}
      {agent.data === undefined && agent.error === null ? <Text>Loading…</Text> : null}
      {form.fields.map((field, i) => {
        const focused = i === form.focus;
        return (
          <Box key={field.name} flexDirection="column">
            <Box height={1}>
              <Text bold={focused}>
                {fit(`${focused ? '›' : ' '} ${field.name}${field.required ? '*' : ''}`, labelWidth)}
              </Text>
              <TextField
                value={field.value}
                active={active && focused && !form.submitting}
                placeholder={field.choices !== null ? field.choices.join(' | ') : field.type}
              />
            </Box>
            {field.error !== null ? (
              <ErrorLine message={field.error} theme={theme} width={width} indent={labelWidth} />
            ) : focused && field.description !== '' ? (
              <Text dimColor>{truncate(`${' '.repeat(labelWidth)}${field.description} (${field.type})`, width)}</Text>
            ) : null}
          </Box>
        );
      })}
      <Box flexGrow={1} />
      {form.error !== null && form.error !== '' ? <ErrorLine message={form.error} theme={theme} width={width} /> : null}
      <Text dimColor>
        {form.submitting
          ? 'Starting…'
          : truncate('enter starts the run · tab/↑↓ move between fields · esc goes back', width)}
      </Text>
    </Box>
  );
}
