import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, seg } from '../api/client';
import { type ApiKeyView, type CreatedKey, type KeyRole, keyRoles } from '../api/opsTypes';
import { useApi } from '../api/SessionContext';
import { ErrorMessage, Field, PageHeader, QueryList, When } from '../ui/components';
import { NewKey } from '../ui/NewKey';
import { ConfirmAction } from '../ui/ConfirmAction';
import './ops.css';

const KeyRow = ({ apiKey }: { apiKey: ApiKeyView }) => {
  const api = useApi();
  const client = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => api.del(`/keys/${seg(apiKey.id)}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['keys'] }),
  });
  return (
    <tr data-key-id={apiKey.id}>
      <td className="mono">{apiKey.id}</td>
      <td>{apiKey.tenant}</td>
      <td>{apiKey.role}</td>
      <td>
        <When iso={apiKey.createdAt} />
      </td>
      <td className="mono">…{apiKey.lastFour}</td>
      <td>
        <ConfirmAction
          label="Revoke"
          ariaLabel={`Revoke key …${apiKey.lastFour}`}
          confirm="Yes, revoke"
          busy="Revoking…"
          pending={revoke.isPending}
          onConfirm={() => revoke.mutate()}
        />
        <ErrorMessage error={revoke.error} />
      </td>
    </tr>
  );
};

/** The API keys an admin (own tenant) or operator (any tenant) manages. */
export const KeysPage = () => {
  const api = useApi();
  const client = useQueryClient();
  const [shownTenant, setShownTenant] = useState('');
  const [filter, setFilter] = useState('');
  const [tenant, setTenant] = useState('');
  const [role, setRole] = useState<KeyRole>('user');
  const keys = useQuery({
    queryKey: ['keys', shownTenant],
    queryFn: () => api.get<{ items: ApiKeyView[] }>(`/keys${shownTenant ? `?tenant=${seg(shownTenant)}` : ''}`),
    retry: (n, e) => !(e instanceof ApiError && e.status === 403) && n < 2,
  });
  const create = useMutation({
    mutationFn: (body: { tenant: string; role: KeyRole }) => api.post<CreatedKey>('/keys', body),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['keys'] }),
  });

  if (keys.error instanceof ApiError && keys.error.status === 403 && !shownTenant) {
    return (
      <>
        <PageHeader title="API keys" />
        <p className="notice" role="status">
          API keys need an admin key. This key may use the API but not list, create or revoke keys.
        </p>
      </>
    );
  }
  const items = keys.data?.items ?? [];
  const tenantToCreate = tenant || shownTenant || items[0]?.tenant || '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ tenant: tenantToCreate, role });
  };

  return (
    <>
      <PageHeader title="API keys" />
      {create.data ? <NewKey created={create.data} onDone={() => create.reset()} /> : null}
      <section aria-label="Create a key">
        <h2>Create a key</h2>
        <form className="filters" onSubmit={submit}>
          <Field label="Tenant">
            <input value={tenantToCreate} onChange={(e) => setTenant(e.target.value)} required />
          </Field>
          <Field label="Role">
            <select value={role} onChange={(e) => setRole(e.target.value as KeyRole)}>
              {keyRoles.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </Field>
          <div className="field field-end">
            <button type="submit" disabled={create.isPending}>
              {create.isPending ? 'Creating…' : 'Create key'}
            </button>
          </div>
        </form>
        <ErrorMessage error={create.error} />
      </section>
      <section aria-label="Keys">
        <div className="section-header">
          <h2>Keys</h2>
          <form
            className="actions"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              setShownTenant(filter.trim());
            }}
          >
            <input
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              placeholder="own tenant"
              aria-label="Show the keys of tenant"
            />
            <button type="submit">Show</button>
          </form>
        </div>
        <QueryList query={keys} what="keys" count={items.length} empty="No keys with an id in this tenant.">
          <div className="table-wrap ops-scroll">
            <table>
              <thead>
                <tr>
                  <th>Id</th>
                  <th>Tenant</th>
                  <th>Role</th>
                  <th>Created</th>
                  <th>Ends in</th>
                  <th>
                    <span className="visually-hidden">Revoke</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((k) => (
                  <KeyRow key={k.id} apiKey={k} />
                ))}
              </tbody>
            </table>
          </div>
        </QueryList>
      </section>
    </>
  );
};
