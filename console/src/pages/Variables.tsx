import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { seg } from '../api/client';
import type { Variable } from '../api/eventTypes';
import { useApi } from '../api/SessionContext';
import { ErrorMessage, PageHeader, QueryList, When } from '../ui/components';
import { VariableForm } from './event/VariableForm';
import { ConfirmAction } from '../ui/ConfirmAction';
import './events.css';

const shown = (v: Variable): string => (v.secret ? 'secret · set' : typeof v.value === 'string' ? v.value : JSON.stringify(v.value));

const Row = ({ v, onEdit }: { v: Variable; onEdit: () => void }) => {
  const api = useApi();
  const queries = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.del(`/variables/${seg(v.key)}`),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['variables'] }),
  });
  return (
    <tr data-variable-key={v.key}>
      <td className="mono">{v.key}</td>
      <td className={`variable-value ${v.secret ? 'muted' : 'mono'}`}>{shown(v)}</td>
      <td>
        <When iso={v.updatedAt} />
      </td>
      <td>
        <div className="row-actions">
          <button type="button" onClick={onEdit} aria-label={`Edit ${v.key}`}>
            Edit
          </button>
          <ConfirmAction
            label="Delete"
            ariaLabel={`Delete ${v.key}`}
            confirm={`Delete ${v.key} for good`}
            busy="Deleting…"
            pending={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
        </div>
        <ErrorMessage error={remove.error} />
      </td>
    </tr>
  );
};

/** The tenant's variables: values scripts read with getVariable and events take into their environment. */
export const VariablesPage = () => {
  const api = useApi();
  const [editing, setEditing] = useState<Variable | undefined>();
  const variables = useQuery({ queryKey: ['variables'], queryFn: () => api.get<{ items: Variable[] }>('/variables') });
  const items = variables.data?.items ?? [];

  return (
    <>
      <PageHeader title="Variables" />
      <p className="muted">
        Scripts read these with getVariable; an event’s environment can take one. A secret is stored encrypted, never shown again, and
        masked as *** in job logs.
      </p>
      <VariableForm key={editing?.key ?? ''} editing={editing} onDone={() => setEditing(undefined)} />
      <QueryList query={variables} what="variables" count={items.length} empty="No variables yet.">
        <div className="table-wrap">
          <table className="variables">
            <thead>
              <tr>
                <th>Key</th>
                <th>Value</th>
                <th>Updated</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((v) => (
                <Row key={v.key} v={v} onEdit={() => setEditing(v)} />
              ))}
            </tbody>
          </table>
        </div>
      </QueryList>
    </>
  );
};
