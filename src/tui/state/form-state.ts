/**
 * The run form: one text field per property of an agent's input schema (userInput always offered),
 * converted to typed input on submit. The core validates the input against the schema; the form only
 * parses what was typed (numbers, booleans, JSON) and shows the core's field errors next to the fields.
 */
import { fieldText, inputFields, readInput, type InputKind } from '../../core/index.js';
import type { JsonSchemaObject } from '../client/station-client.js';
import { applyTextEdit, type TextEdit } from './text-edit.js';

export type FieldType = InputKind;

export interface FormField {
  name: string;
  type: FieldType;
  required: boolean;
  description: string;
  choices: string[] | null;
  value: string;
  error: string | null;
  /** Typed without echo: shown masked. */
  secret?: boolean;
}

export interface FormState {
  fields: FormField[];
  focus: number;
  submitting: boolean;
  /** An error not tied to one field (queue full, model down, ...). */
  error: string | null;
}

export function formFromSchema(schema: JsonSchemaObject): FormState {
  const fields: FormField[] = inputFields(schema).map((f) => ({
    name: f.name,
    type: f.kind,
    required: f.required,
    description: f.description,
    choices: f.options ?? null,
    value: fieldText(f.default),
    error: null,
  }));
  if (!fields.some((f) => f.name === 'userInput')) {
    fields.unshift({
      name: 'userInput',
      type: 'string',
      required: false,
      description: 'Text for the agent',
      choices: null,
      value: '',
      error: null,
    });
  }
  return { fields, focus: 0, submitting: false, error: null };
}

export type FormAction =
  | { type: 'init'; form: FormState }
  | { type: 'focus'; delta: 1 | -1 }
  | { type: 'set'; value: string }
  | { type: 'edit'; edit: TextEdit }
  | { type: 'submitting' }
  | { type: 'failed'; error: string; fieldErrors?: Record<string, string> }
  | { type: 'invalid'; fieldErrors: Record<string, string> };

/** The error for a field, whether the core names it `count`, `input.count` or `/count`. */
function errorFor(errors: Record<string, string>, name: string): string | undefined {
  if (errors[name] !== undefined) return errors[name];
  for (const [path, message] of Object.entries(errors)) if (path.split(/[/.[\]]/).includes(name)) return message;
  return undefined;
}

export function formReducer(state: FormState, action: FormAction): FormState {
  switch (action.type) {
    case 'init':
      return action.form;
    case 'focus': {
      const n = state.fields.length;
      return n === 0 ? state : { ...state, focus: (state.focus + action.delta + n) % n };
    }
    case 'set':
      return {
        ...state,
        fields: state.fields.map((f, i) => (i === state.focus ? { ...f, value: action.value, error: null } : f)),
      };
    case 'edit':
      return {
        ...state,
        fields: state.fields.map((f, i) =>
          i === state.focus ? { ...f, value: applyTextEdit(f.value, action.edit), error: null } : f,
        ),
      };
    case 'submitting':
      return { ...state, submitting: true, error: null };
    case 'failed':
    case 'invalid': {
      const errors = action.type === 'failed' ? (action.fieldErrors ?? {}) : action.fieldErrors;
      const firstBad = state.fields.findIndex((f) => errorFor(errors, f.name) !== undefined);
      return {
        ...state,
        submitting: false,
        error: action.type === 'failed' ? action.error : null,
        focus: firstBad >= 0 ? firstBad : state.focus,
        fields: state.fields.map((f) => ({ ...f, error: errorFor(errors, f.name) ?? null })),
      };
    }
  }
}

/** The typed input the form stands for, or the fields that cannot be parsed. Empty optional fields are left out. */
export function formInput(
  state: FormState,
): { ok: true; input: Record<string, unknown> } | { ok: false; fieldErrors: Record<string, string> } {
  const values = new Map(state.fields.map((f) => [f.name, f.value]));
  return readInput(
    state.fields.map((f) => ({ name: f.name, kind: f.type, required: f.required })),
    (name) => values.get(name),
  );
}
