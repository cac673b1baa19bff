import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { StatsSummary } from '../api/opsTypes';
import { useApi } from '../api/SessionContext';
import { LineChart } from '../ui/Chart';
import { ErrorMessage, Field, Loading, PageHeader } from '../ui/components';
import { formatDuration } from '../ui/format';
import { readStatsSeries, type StatsRange, statsRanges } from '../ui/statsSeries';
import './ops.css';

const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`);
const ms = (v: number | null) => formatDuration(v ?? undefined);

const Figures = ({ s }: { s: StatsSummary }) => (
  <dl className="stat-cards">
    <div>
      <dt>Success rate</dt>
      <dd data-figure="success-rate">{percent(s.successRate)}</dd>
    </div>
    <div>
      <dt>Jobs ended</dt>
      <dd data-figure="jobs">{s.jobs}</dd>
      <dd className="muted small">
        {s.byStatus.completed} completed, {s.byStatus.failed} failed, {s.byStatus.timeout} timed out, {s.byStatus.cancelled} cancelled
      </dd>
    </div>
    <div>
      <dt>Duration p50 / p95 / p99</dt>
      <dd data-figure="duration">
        {ms(s.durationMs.p50)} / {ms(s.durationMs.p95)} / {ms(s.durationMs.p99)}
      </dd>
    </div>
    <div>
      <dt>Queue wait p50 / p95</dt>
      <dd data-figure="queue-wait">
        {ms(s.queueWaitMs.p50)} / {ms(s.queueWaitMs.p95)}
      </dd>
    </div>
  </dl>
);

/** The tenant's job statistics over a range, with charts of the same figures per window. */
export const StatsPage = () => {
  const api = useApi();
  const [range, setRange] = useState<StatsRange>('24h');
  const [eventId, setEventId] = useState('');
  const events = useQuery({
    queryKey: ['events', 'names'],
    queryFn: () => api.get<{ items: { id: string; name: string }[] }>('/events?limit=100'),
  });
  const stats = useQuery({
    queryKey: ['stats', range, eventId],
    queryFn: () => readStatsSeries(api, range, eventId),
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
  });
  const data = stats.data;
  const pick = <K extends keyof StatsSummary['durationMs']>(k: K) => data?.buckets.map((b) => b.total.durationMs[k]) ?? [];

  return (
    <>
      <PageHeader title="Stats">{stats.isFetching ? <span className="muted">Refreshing…</span> : null}</PageHeader>
      <form className="filters" aria-label="Stats range" onSubmit={(e) => e.preventDefault()}>
        <Field label="Range">
          <select value={range} onChange={(e) => setRange(e.target.value as StatsRange)}>
            {Object.entries(statsRanges).map(([k, r]) => (
              <option key={k} value={k}>
                {r.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Event">
          <select value={eventId} onChange={(e) => setEventId(e.target.value)}>
            <option value="">all jobs</option>
            {(events.data?.items ?? []).map((ev) => (
              <option key={ev.id} value={ev.id}>
                {ev.name}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <ErrorMessage error={stats.error ?? events.error} />
      {!data ? (
        stats.isPending ? (
          <Loading what="statistics" />
        ) : null
      ) : (
        <>
          <Figures s={data.total.total} />
          <p className="muted small">
            Jobs that ended from {new Date(data.total.from).toLocaleString(undefined, { hour12: false })} (whole hours); percentiles within{' '}
            {(data.total.percentileRelativeError * 100).toFixed(1)} %.
          </p>
          <div className="charts">
            <LineChart
              title="Success rate"
              yLabel="success rate"
              times={data.times}
              max={100}
              format={(v) => `${Math.round(v)} %`}
              series={[
                {
                  name: 'success rate',
                  values: data.buckets.map((b) => (b.total.successRate === null ? null : b.total.successRate * 100)),
                },
              ]}
            />
            <LineChart
              title="Duration"
              yLabel="run time"
              times={data.times}
              format={(v) => formatDuration(v)}
              series={[
                { name: 'p50', values: pick('p50') },
                { name: 'p95', values: pick('p95') },
                { name: 'p99', values: pick('p99') },
              ]}
            />
            <LineChart
              title="Queue wait"
              yLabel="wait"
              times={data.times}
              format={(v) => formatDuration(v)}
              series={[
                { name: 'p50', values: data.buckets.map((b) => b.total.queueWaitMs.p50) },
                { name: 'p95', values: data.buckets.map((b) => b.total.queueWaitMs.p95) },
              ]}
            />
          </div>
          {data.total.byEvent.length ? (
            <section aria-label="By event">
              <h2>By event</h2>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Event</th>
                      <th>Jobs</th>
                      <th>Success rate</th>
                      <th>Duration p95</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.total.byEvent.map((e) => (
                      <tr key={e.eventId}>
                        <td>{e.eventName ?? e.eventId}</td>
                        <td>{e.jobs}</td>
                        <td>{percent(e.successRate)}</td>
                        <td>{ms(e.durationMs.p95)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          ) : null}
        </>
      )}
    </>
  );
};
