import { Box, Text, useInput } from 'ink';
import { useEffect, useReducer, type ReactNode } from 'react';
import { TextInput } from '../components/text-input.js';
import { errorText, fieldErrorsOf } from '../client/errors.js';
import { fit, truncate } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { formFromSchema, formInput, formReducer, type FormState } from '../state/form-state.js';
import type { ScreenProps } from './screen-props.js';

const EMPTY: FormState = { fields: [], focus: 0, submitting: false, error: null };

/** The run form: one field per input property; enter (or ^S) starts the run and opens its trace. */
export function RunForm({ app, dispatch, client, theme, width, height, active, name }: ScreenProps & { name: string }): ReactNode {
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

  // esc when no field is focused (still loading) goes back too.
  useInput(
    (_input, key) => {
      if (key.escape) dispatch({ type: 'back' });
    },
    { isActive: active && form.fields.length === 0 },
  );

  const labelWidth = Math.min(24, Math.max(10, ...form.fields.map((f) => f.name.length + 3)));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold {...(theme.accent !== undefined ? { color: theme.accent } : {})}>
        {truncate(`Run ${name} in ${env}`, width)}
      </Text>
      {agent.error !== null ? <Text {...(theme.error !== undefined ? { color: theme.error } : {})}>{truncate(`✗ ${agent.error}`, width)}</Text> : null}
      {agent.data === undefined && agent.error === null ? <Text>Loading…</Text> : null}
      {form.fields.map((field, i) => {
        const focused = i === form.focus;
        return (
          <Box key={field.name} flexDirection="column">
            <Box height={1}>
              <Text bold={focused}>{fit(`${focused ? '›' : ' '} ${field.name}${field.required ? '*' : ''}`, labelWidth)}</Text>
              <TextInput
                value={field.value}
                isActive={active && focused && !form.submitting}
                scope="form"
                placeholder={field.choices !== null ? field.choices.join(' | ') : field.type}
                onChange={(value) => {
                  formDispatch({ type: 'set', value });
                }}
                onKey={(action) => {
                  if (action === 'next-field') formDispatch({ type: 'focus', delta: 1 });
                  else if (action === 'prev-field') formDispatch({ type: 'focus', delta: -1 });
                  else if (action === 'submit') submit();
                  else if (action === 'back') dispatch({ type: 'back' });
                }}
              />
            </Box>
            {field.error !== null ? (
              <Text {...(theme.error !== undefined ? { color: theme.error } : {})}>{truncate(`${' '.repeat(labelWidth)}✗ ${field.error}`, width)}</Text>
            ) : focused && field.description !== '' ? (
              <Text dimColor>{truncate(`${' '.repeat(labelWidth)}${field.description} (${field.type})`, width)}</Text>
            ) : null}
          </Box>
        );
      })}
      <Box flexGrow={1} />
      {form.error !== null && form.error !== '' ? <Text {...(theme.error !== undefined ? { color: theme.error } : {})}>{truncate(`✗ ${form.error}`, width)}</Text> : null}
      <Text dimColor>{form.submitting ? 'Starting…' : truncate('enter starts the run · tab/↑↓ move between fields · esc goes back', width)}</Text>
    </Box>
  );
}
