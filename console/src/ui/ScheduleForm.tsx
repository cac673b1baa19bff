import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from '../api/SessionContext';
import { dstPolicies, type DstPolicy, type Schedule, type SchedulePreview, type ScheduleTiming } from '../api/scheduleTypes';
import type { Page } from '../api/types';
import type { EventSummary, Workflow } from '../api/workflowTypes';
import { ErrorMessage, Field } from './components';
import { FireTable } from './ScheduleFires';

type TimingKind = 'cron' | 'at' | 'rate';

const presets: { label: string; kind: TimingKind; value: string }[] = [
  { label: 'Every 5 minutes', kind: 'cron', value: '*/5 * * * *' },
  { label: 'Hourly', kind: 'cron', value: '0 * * * *' },
  { label: 'Daily 02:30', kind: 'cron', value: '30 2 * * *' },
  { label: 'Weekdays 09:00', kind: 'cron', value: '0 9 * * 1-5' },
  { label: 'Every 6 hours', kind: 'rate', value: '6 hours' },
];

const hints: Record<TimingKind, string> = {
  cron: 'minute hour day-of-month month day-of-week, e.g. "30 2 * * *"; or AWS "cron(0 9 ? * MON-FRI *)"',
  at: 'one fire, ISO 8601, e.g. 2030-01-31T09:00 (read in the time zone unless it has an offset)',
  rate: '"N minutes", "N hours" or "N days", counted from the start (or now)',
};

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const zones = (): string[] => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []);

/** The value once it has stopped changing for `ms`. */
const useSettled = <T,>(value: T, ms: number): T => {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
};

/** A new schedule: its timing previewed by the API (the same code that plans saved ones) before saving. */
export const ScheduleForm = ({ onSaved }: { onSaved: (s: Schedule) => void }) => {
  const api = useApi();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [targetKind, setTargetKind] = useState<'event' | 'workflow'>('event');
  const [targetId, setTargetId] = useState('');
  const [kind, setKind] = useState<TimingKind>('cron');
  const [expression, setExpression] = useState('');
  const [timezone, setTimezone] = useState(browserZone);
  const [dst, setDst] = useState<DstPolicy>('skip');
  const [startAt, setStartAt] = useState('');
  const [endAt, setEndAt] = useState('');

  const events = useQuery({ queryKey: ['events', 'all'], queryFn: () => api.get<Page<EventSummary>>('/events?limit=100') });
  const workflows = useQuery({ queryKey: ['workflows', 'all'], queryFn: () => api.get<Page<Workflow>>('/workflows?limit=100') });
  const targets = (targetKind === 'event' ? events.data?.items : workflows.data?.items) ?? [];

  const timing: ScheduleTiming = {
    [kind]: expression.trim(),
    timezone,
    dst,
    ...(startAt.trim() ? { startAt: startAt.trim() } : {}),
    ...(endAt.trim() ? { endAt: endAt.trim() } : {}),
  };
  // Settled as text: a fresh object each render would restart the timer forever.
  const settled = JSON.parse(useSettled(JSON.stringify(timing), 300)) as ScheduleTiming;
  const preview = useQuery({
    queryKey: ['schedule-preview', settled],
    queryFn: () => api.post<SchedulePreview>('/schedules/preview', settled),
    enabled: Boolean(settled[kind]),
    retry: false,
  });

  const save = useMutation({
    mutationFn: () =>
      api.post<Schedule>('/schedules', {
        name: name.trim(),
        target: targetKind === 'event' ? { eventId: targetId } : { workflowId: targetId },
        ...timing,
      }),
    onSuccess: (s) => {
      void client.invalidateQueries({ queryKey: ['schedules'] });
      onSaved(s);
    },
  });

  return (
    <form
      className="schedule-form"
      aria-label="New schedule"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <div className="form-grid">
        <Field label="Name">
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <Field label="Runs">
          <select
            value={targetKind}
            onChange={(e) => {
              setTargetKind(e.target.value as 'event' | 'workflow');
              setTargetId('');
            }}
          >
            <option value="event">an event</option>
            <option value="workflow">a workflow</option>
          </select>
        </Field>
        <Field label={targetKind === 'event' ? 'Event' : 'Workflow'}>
          <select value={targetId} onChange={(e) => setTargetId(e.target.value)} required>
            <option value="">choose…</option>
            {targets.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <fieldset className="schedule-timing">
        <legend>When</legend>
        <div className="presets" role="group" aria-label="Presets">
          {presets.map((p) => (
            <button
              key={p.label}
              type="button"
              className="link"
              onClick={() => {
                setKind(p.kind);
                setExpression(p.value);
              }}
            >
              {p.label}
            </button>
          ))}
        </div>
        <div className="form-grid">
          <Field label="Timing">
            <select value={kind} onChange={(e) => setKind(e.target.value as TimingKind)}>
              <option value="cron">cron</option>
              <option value="at">once (at)</option>
              <option value="rate">rate</option>
            </select>
          </Field>
          <Field label={kind === 'cron' ? 'Cron expression' : kind === 'at' ? 'At' : 'Rate'} hint={hints[kind]}>
            <input className="mono" value={expression} onChange={(e) => setExpression(e.target.value)} required />
          </Field>
          <Field label="Time zone" hint="IANA name">
            <input value={timezone} onChange={(e) => setTimezone(e.target.value)} list="schedule-zones" required />
          </Field>
          <Field label="DST gap" hint="a wall time the zone skips: skip it, or run at the gap's end">
            <select value={dst} onChange={(e) => setDst(e.target.value as DstPolicy)}>
              {dstPolicies.map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          </Field>
          <Field label="Start (optional)" hint="ISO 8601; no fire before it">
            <input value={startAt} onChange={(e) => setStartAt(e.target.value)} />
          </Field>
          <Field label="End (optional)" hint="ISO 8601; no fire after it">
            <input value={endAt} onChange={(e) => setEndAt(e.target.value)} />
          </Field>
        </div>
        <datalist id="schedule-zones">
          {zones().map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </fieldset>
      <section className="schedule-preview" aria-label="Preview" aria-live="polite">
        <h2>Next fires</h2>
        {!settled[kind] ? (
          <p className="muted">Type a timing to see when it fires.</p>
        ) : preview.isFetching && !preview.data ? (
          <p className="muted">Computing…</p>
        ) : preview.error ? (
          <ErrorMessage error={preview.error} />
        ) : preview.data?.nextFires.length ? (
          <FireTable fires={preview.data.nextFires} label="Previewed fires" />
        ) : (
          <p className="muted">It never fires.</p>
        )}
      </section>
      <ErrorMessage error={save.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save schedule'}
        </button>
      </div>
    </form>
  );
};
