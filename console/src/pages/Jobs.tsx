import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useSearch } from 'wouter';
import { seg } from '../api/client';
import { useApi } from '../api/SessionContext';
import { type Job, jobStatuses, type Page } from '../api/types';
import { Field, PageHeader, QueryList, StatusBadge, When } from '../ui/components';
import { formatDuration } from '../ui/format';

const runtimes = ['bash', 'python', 'node', 'http', 'tool'] as const;

interface Filters {
  status: string;
  eventId: string;
  runtime: string;
  since: string;
  until: string;
}

const queryOf = (f: Filters, cursor: string | undefined): string => {
  const q = new URLSearchParams({ limit: '50' });
  if (f.status) q.set('status', f.status);
  if (f.eventId) q.set('eventId', f.eventId);
  if (f.runtime) q.set('runtime', f.runtime);
  if (f.since) q.set('since', new Date(f.since).toISOString());
  if (f.until) q.set('until', new Date(f.until).toISOString());
  if (cursor) q.set('cursor', cursor);
  return q.toString();
};

/** Every job of the tenant, newest first, refreshed every two seconds while the page is open. */
export const JobsPage = () => {
  const api = useApi();
  // `#/jobs?eventId=…` (an event's "its jobs" link) opens the list filtered to that event.
  const eventInUrl = new URLSearchParams(useSearch()).get('eventId') ?? '';
  const [filters, setFilters] = useState<Filters>({ status: '', eventId: eventInUrl, runtime: '', since: '', until: '' });
  useEffect(() => setFilters((f) => ({ ...f, eventId: eventInUrl })), [eventInUrl]);
  const jobs = useInfiniteQuery({
    queryKey: ['jobs', filters],
    queryFn: ({ pageParam }) => api.get<Page<Job>>(`/jobs?${queryOf(filters, pageParam)}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 2_000,
  });
  const set = (field: keyof Filters) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [field]: e.target.value }));
  const items = jobs.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader title="Jobs" />
      <form className="filters" role="search" aria-label="Filter jobs" onSubmit={(e) => e.preventDefault()}>
        <Field label="Status">
          <select value={filters.status} onChange={set('status')}>
            <option value="">any</option>
            {jobStatuses.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field label="Runtime">
          <select value={filters.runtime} onChange={set('runtime')}>
            <option value="">any</option>
            {runtimes.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </Field>
        <Field label="Event id">
          <input value={filters.eventId} onChange={set('eventId')} placeholder="any" />
        </Field>
        <Field label="Created from">
          <input type="datetime-local" value={filters.since} onChange={set('since')} />
        </Field>
        <Field label="Created before">
          <input type="datetime-local" value={filters.until} onChange={set('until')} />
        </Field>
      </form>
      <QueryList query={jobs} what="jobs" count={items.length} empty="No jobs match.">
        <div className="table-wrap">
          <table className="jobs">
            <thead>
              <tr>
                <th>Job</th>
                <th>Status</th>
                <th>Runtime</th>
                <th>Event</th>
                <th>Created</th>
                <th>Duration</th>
              </tr>
            </thead>
            <tbody>
              {items.map((job) => (
                <tr key={job.id} data-job-id={job.id}>
                  <td>
                    <Link href={`/jobs/${seg(job.id)}`} className="mono">
                      {job.id}
                    </Link>
                  </td>
                  <td>
                    <StatusBadge status={job.status} />
                  </td>
                  <td>{job.runtime}</td>
                  <td>{job.eventName ?? job.eventId ?? '—'}</td>
                  <td>
                    <When iso={job.createdAt} />
                  </td>
                  <td>{formatDuration(job.durationMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </QueryList>
      {jobs.hasNextPage ? (
        <button type="button" onClick={() => void jobs.fetchNextPage()} disabled={jobs.isFetchingNextPage}>
          {jobs.isFetchingNextPage ? 'Loading…' : 'Older jobs'}
        </button>
      ) : null}
    </>
  );
};
