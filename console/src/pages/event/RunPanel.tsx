import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { seg } from '../../api/client';
import { useApi } from '../../api/SessionContext';
import type { Job } from '../../api/types';
import { terminalStatuses } from '../../api/types';
import { useJobFollow } from '../../api/useJobFollow';
import { ErrorMessage, Field, StatusBadge } from '../../ui/components';
import { LogView } from '../../ui/LogView';
import { FormError } from './eventForm';

const inputOf = (text: string): { input?: unknown } => {
  if (text.trim() === '') return {};
  try {
    return { input: JSON.parse(text) as unknown };
  } catch {
    throw new FormError('input: is not valid JSON');
  }
};

/** Runs the saved event and follows the job right here: its lines as they come, its status, a link to it. */
export const RunPanel = ({ eventId, unsaved }: { eventId: string; unsaved: boolean }) => {
  const api = useApi();
  const [input, setInput] = useState('');
  const run = useMutation({
    mutationFn: () => api.post<Job>(`/events/${seg(eventId)}/runs`, inputOf(input)),
  });
  const job = run.data;
  const log = useJobFollow(job?.id);
  const status = log.status?.status ?? job?.status;

  return (
    <section className="run-panel" aria-label="Run">
      <header className="section-header">
        <h2>Run</h2>
        {job ? (
          <>
            {status ? <StatusBadge status={status} /> : null}
            <Link href={`/jobs/${seg(job.id)}`} className="mono">
              {job.id}
            </Link>
          </>
        ) : null}
        <button type="button" className="primary" onClick={() => run.mutate()} disabled={run.isPending}>
          {run.isPending ? 'Starting…' : job ? 'Run again' : 'Run'}
        </button>
      </header>
      {unsaved ? <p className="muted">Runs the saved event: save first to run your changes.</p> : null}
      <Field label="Input (JSON, optional)" hint="What the script reads with input()">
        <textarea className="mono" rows={2} value={input} onChange={(e) => setInput(e.target.value)} placeholder='{"name": "world"}' />
      </Field>
      <ErrorMessage error={run.error} />
      {job ? (
        <>
          {log.error ? <p className="error">{log.error}</p> : null}
          {log.status?.error ? <p className="error">{`${log.status.error.code}: ${log.status.error.message}`}</p> : null}
          <LogView lines={log.lines} version={log.version} />
          <p className="muted">
            {status && terminalStatuses.has(status) ? `exit code ${log.status?.exitCode ?? '—'}` : log.connected ? 'live' : 'connecting…'}
          </p>
        </>
      ) : null}
    </section>
  );
};
