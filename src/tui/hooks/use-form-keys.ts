import type { Dispatch } from 'react';
import { resolveKey, type Scope } from '../keymap.js';
import type { FormAction, FormState } from '../state/form-state.js';
import { textEditFor } from '../state/text-edit.js';
import { useKeys } from './use-keys.js';

export interface FormKeys {
  /** The keymap scope of the form (its bindings for back, next and previous field, submit). */
  scope: Scope;
  form: FormState;
  dispatch: Dispatch<FormAction>;
  active: boolean;
  onBack: () => void;
  onSubmit: () => void;
  /** Enter moves to the next field and submits only on the last one (^S submits anywhere). */
  enterAdvances?: boolean;
  /** Only back works (a form with nothing to fill, or one being submitted). */
  locked?: boolean;
}

/**
 * The keys of a form, one handler for the whole form: keys typed faster than the screen redraws all land
 * in the right field. Back, next and previous field, submit, and text edits in the focused field.
 */
export function useFormKeys({
  scope,
  form,
  dispatch,
  active,
  onBack,
  onSubmit,
  enterAdvances,
  locked,
}: FormKeys): void {
  useKeys(
    (input, key) => {
      const action = resolveKey(scope, input, key);
      if (action === 'back') {
        onBack();
        return;
      }
      if (locked === true) return;
      if (action === 'next-field') dispatch({ type: 'focus', delta: 1 });
      else if (action === 'prev-field') dispatch({ type: 'focus', delta: -1 });
      else if (action === 'submit') {
        if (enterAdvances === true && key.return && form.focus < form.fields.length - 1) {
          dispatch({ type: 'focus', delta: 1 });
          return;
        }
        onSubmit();
      } else if (action === undefined) {
        const edit = textEditFor(input, key);
        if (edit !== undefined) dispatch({ type: 'edit', edit });
      }
    },
    { isActive: active },
  );
}
