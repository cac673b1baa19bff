import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { seg } from '../../api/client';
import type { Variable } from '../../api/eventTypes';
import { useApi } from '../../api/SessionContext';
import { ErrorMessage, Field } from '../../ui/components';

type Kind = 'text' | 'json';

const kindOf = (v: Variable | undefined): Kind => (v && !v.secret && typeof v.value !== 'string' ? 'json' : 'text');
const textOf = (v: Variable | undefined): string =>
  !v || v.secret ? '' : typeof v.value === 'string' ? v.value : JSON.stringify(v.value, null, 2);

const valueOf = (kind: Kind, text: string): unknown => {
  if (kind === 'text') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error('value: is not valid JSON');
  }
};

/** Adds a variable, or replaces one (`editing`); a secret's current value is never filled in. */
export const VariableForm = ({ editing, onDone }: { editing?: Variable; onDone: () => void }) => {
  const api = useApi();
  const queries = useQueryClient();
  const [key, setKey] = useState(editing?.key ?? '');
  const [kind, setKind] = useState<Kind>(kindOf(editing));
  const [text, setText] = useState(textOf(editing));
  const [secret, setSecret] = useState(editing?.secret ?? false);
  const save = useMutation({
    mutationFn: () => api.put<Variable>(`/variables/${seg(key)}`, { value: valueOf(kind, text), secret }),
    onSuccess: () => {
      // Nothing of a secret stays on the page once saved.
      setText('');
      if (!editing) setKey('');
      void queries.invalidateQueries({ queryKey: ['variables'] });
      onDone();
    },
  });

  return (
    <form
      className="variable-form"
      aria-label={editing ? `Edit ${editing.key}` : 'Add a variable'}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Field label="Key">
        <input className="mono" value={key} onChange={(e) => setKey(e.target.value)} readOnly={!!editing} required />
      </Field>
      <Field label="Value" hint={editing?.secret ? 'The current value is never shown: enter a new one.' : undefined}>
        {secret ? (
          <input type="password" autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} />
        ) : (
          <textarea className="mono" rows={1} value={text} onChange={(e) => setText(e.target.value)} />
        )}
      </Field>
      <Field label="Type">
        <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          <option value="text">text</option>
          <option value="json">JSON</option>
        </select>
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={secret} onChange={(e) => setSecret(e.target.checked)} /> Secret
      </label>
      <button type="submit" disabled={save.isPending}>
        {save.isPending ? 'Saving…' : editing ? 'Save' : 'Add'}
      </button>
      {editing ? (
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      ) : null}
      <ErrorMessage error={save.error} />
    </form>
  );
};
