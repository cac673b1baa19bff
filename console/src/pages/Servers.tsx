import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { seg } from '../api/client';
import type { Server, ServerInput, ServerTestResult } from '../api/opsTypes';
import { useApi } from '../api/SessionContext';
import { ErrorMessage, PageHeader, QueryList, When } from '../ui/components';
import { ServerForm } from '../ui/ServerForm';
import { ConfirmAction } from '../ui/ConfirmAction';
import './ops.css';

const TestResult = ({ result }: { result: ServerTestResult }) =>
  result.ok ? (
    <p className="test-result ok" role="status">
      Connected as <b>{result.remoteUser}</b> in {result.latencyMs} ms. Host key <code>{result.fingerprint}</code>
    </p>
  ) : (
    <p className="test-result error" role="alert">
      {result.error.message} <span className="muted">({result.error.code})</span>
    </p>
  );

const ServerRow = ({ server, onEdit }: { server: Server; onEdit(): void }) => {
  const api = useApi();
  const client = useQueryClient();
  const test = useMutation({ mutationFn: () => api.post<ServerTestResult>(`/servers/${seg(server.id)}/test`) });
  const remove = useMutation({
    mutationFn: () => api.del(`/servers/${seg(server.id)}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['servers'] }),
  });
  // A first successful test pins the host key: show it in the list.
  const refresh = () => void client.invalidateQueries({ queryKey: ['servers'] });

  return (
    <li className="ops-card" data-server-id={server.id}>
      <div className="ops-card-head">
        <h2>{server.name}</h2>
        <div className="actions">
          <button type="button" onClick={() => test.mutate(undefined, { onSuccess: refresh })} disabled={test.isPending}>
            {test.isPending ? 'Testing…' : 'Test connection'}
          </button>
          <button type="button" onClick={onEdit}>
            Edit
          </button>
          <ConfirmAction
            label="Delete"
            confirm={`Delete ${server.name}`}
            busy="Deleting…"
            pending={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
        </div>
      </div>
      <dl className="facts">
        <div>
          <dt>Address</dt>
          <dd className="mono">
            {server.username}@{server.host}:{server.port}
          </dd>
        </div>
        <div>
          <dt>Host key</dt>
          <dd className="mono">{server.hostKeyFingerprint ?? 'not pinned yet'}</dd>
        </div>
        <div>
          <dt>Added</dt>
          <dd>
            <When iso={server.createdAt} />
          </dd>
        </div>
      </dl>
      {test.data ? <TestResult result={test.data} /> : null}
      <ErrorMessage error={test.error ?? remove.error} />
    </li>
  );
};

/** The tenant's SSH servers: add, edit, delete, and test a connection. */
export const ServersPage = () => {
  const api = useApi();
  const client = useQueryClient();
  // 'new', a server id being edited, or nothing.
  const [editing, setEditing] = useState<string | undefined>();
  const servers = useQuery({ queryKey: ['servers'], queryFn: () => api.get<{ items: Server[] }>('/servers') });
  const save = useMutation({
    mutationFn: (input: Partial<ServerInput>) =>
      editing && editing !== 'new' ? api.patch<Server>(`/servers/${seg(editing)}`, input) : api.post<Server>('/servers', input),
    onSuccess: () => {
      setEditing(undefined);
      void client.invalidateQueries({ queryKey: ['servers'] });
    },
  });
  const open = (id: string | undefined) => {
    save.reset();
    setEditing(id);
  };
  const items = servers.data?.items ?? [];
  const edited = items.find((s) => s.id === editing);

  return (
    <>
      <PageHeader title="Servers">
        {editing ? null : (
          <button type="button" className="primary" onClick={() => open('new')}>
            Add server
          </button>
        )}
      </PageHeader>
      {editing ? (
        <ServerForm
          key={editing}
          server={edited}
          saving={save.isPending}
          error={save.error}
          onSave={(i) => save.mutate(i)}
          onCancel={() => open(undefined)}
        />
      ) : null}
      <QueryList
        query={servers}
        what="servers"
        count={items.length}
        empty='No servers yet. Jobs run on a server with target {"type":"ssh","serverIds":[…]}.'
      >
        <ul className="ops-list" aria-label="Servers">
          {items.map((s) => (
            <ServerRow key={s.id} server={s} onEdit={() => open(s.id)} />
          ))}
        </ul>
      </QueryList>
    </>
  );
};
