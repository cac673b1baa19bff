import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { seg } from '../api/client';
import { useApi } from '../api/SessionContext';
import { type Job, terminalStatuses } from '../api/types';
import { useJobFollow } from '../api/useJobFollow';
import { ErrorMessage, Facts, Loading, PageHeader, StatusBadge, When } from '../ui/components';
import { formatDuration, formatJson, formatTime } from '../ui/format';
import { LogView } from '../ui/LogView';

const saveBlob = (blob: Blob, name: string) => {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
};

/** One job: its facts, its results and its log, live while it runs. */
export const JobPage = () => {
  const { id = '' } = useParams<{ id: string }>();
  const api = useApi();
  const [search, setSearch] = useState('');
  const job = useQuery({ queryKey: ['job', id], queryFn: () => api.get<Job>(`/jobs/${seg(id)}`) });
  const log = useJobFollow(id);
  const cancel = useMutation({ mutationFn: () => api.post<Job>(`/jobs/${seg(id)}/cancel`), onSuccess: () => void job.refetch() });
  const download = useMutation({
    mutationFn: async () => saveBlob(await api.download(`/jobs/${seg(id)}/logs/download?format=text`), `${id}.log`),
  });

  if (job.isPending) return <Loading what="the job" />;
  if (!job.data) return <ErrorMessage error={job.error} />;
  const j = job.data;
  const status = log.status?.status ?? j.status;
  const ended = terminalStatuses.has(status);

  return (
    <>
      <PageHeader title={j.eventName ? `${j.eventName}` : `Job ${j.id}`}>
        <StatusBadge status={status} />
        {ended ? null : (
          <button type="button" className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            {cancel.isPending ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
        {j.eventId ? (
          // The API shows neither a job's input nor its script, so a run again starts from the event,
          // whose page asks for the input.
          <Link href={`/events/${seg(j.eventId)}`} className="button">
            Run the event again…
          </Link>
        ) : null}
      </PageHeader>
      <ErrorMessage error={cancel.error ?? download.error} />
      <Facts
        rows={[
          ['Id', <span className="mono">{j.id}</span>],
          ['Runtime', j.runtime],
          ['Event', j.eventId ? <Link href={`/events/${seg(j.eventId)}`}>{j.eventName ?? j.eventId}</Link> : undefined],
          ['Workflow run', j.workflowRunId ? <Link href={`/workflow-runs/${seg(j.workflowRunId)}`}>{j.workflowRunId}</Link> : undefined],
          ['Created', <When iso={j.createdAt} />],
          ['Started', j.startedAt ? formatTime(j.startedAt) : undefined],
          ['Finished', j.finishedAt ? formatTime(j.finishedAt) : undefined],
          ['Duration', formatDuration(j.durationMs)],
          ['Exit code', log.status?.exitCode ?? j.exitCode],
          ['Error', j.error ? `${j.error.code}: ${j.error.message}` : undefined],
          ['Attempt', j.attempt],
          ['Condition', j.condition === undefined ? undefined : String(j.condition)],
        ]}
      />
      {j.output !== undefined ? (
        <section>
          <h2>Output</h2>
          <pre className="json">{formatJson(j.output)}</pre>
        </section>
      ) : null}
      {j.outputError ? <p className="error">{j.outputError}</p> : null}
      {j.attempts?.length ? (
        <section>
          <h2>Attempts</h2>
          <ul>
            {j.attempts.map((a) => (
              <li key={a.attempt}>
                #{a.attempt} <StatusBadge status={a.status} /> {a.exitCode !== undefined ? `exit ${a.exitCode}` : ''}{' '}
                {a.error?.message ?? ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {j.executions?.length ? (
        <section>
          <h2>Servers</h2>
          <ul>
            {j.executions.map((e, i) => (
              <li key={e.serverId ?? i}>
                {e.server ?? e.serverId} {e.status ? <StatusBadge status={e.status} /> : null}{' '}
                {e.exitCode !== undefined ? `exit ${e.exitCode}` : ''} {e.error?.message ?? ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {j.notifications?.length ? (
        <section>
          <h2>Notifications</h2>
          <ul>
            {j.notifications.map((n, i) => (
              <li key={i}>
                on {n.on.join(', ')}: {n.status} after {n.attempts} attempt(s) {n.lastError ?? ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section>
        <header className="section-header">
          <h2>Log</h2>
          <input
            type="search"
            placeholder="Search the log"
            aria-label="Search the log"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <button type="button" onClick={() => download.mutate()} disabled={download.isPending}>
            {download.isPending ? 'Downloading…' : 'Download'}
          </button>
          <span className="muted">{log.connected ? 'live' : ended ? '' : 'reconnecting…'}</span>
        </header>
        {log.error ? <p className="error">{log.error}</p> : null}
        <LogView lines={log.lines} version={log.version} search={search} />
      </section>
    </>
  );
};
