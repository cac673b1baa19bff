import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { Link } from 'wouter';
import { seg } from '../api/client';
import { useApi } from '../api/SessionContext';
import { type Schedule, timingText } from '../api/scheduleTypes';
import type { Page } from '../api/types';
import type { EventSummary, Workflow } from '../api/workflowTypes';
import { ErrorMessage, PageHeader, QueryList, When } from '../ui/components';
import { ScheduleFires } from '../ui/ScheduleFires';
import { ScheduleForm } from '../ui/ScheduleForm';
import { ConfirmAction } from '../ui/ConfirmAction';
import './schedules.css';

/** The target's name when the first page of events or workflows has it, else its id. */
const TargetLink = ({ s, names }: { s: Schedule; names: Map<string, string> }) =>
  s.target.workflowId ? (
    <Link href={`/workflows/${seg(s.target.workflowId)}`} data-target={s.target.workflowId}>
      workflow {names.get(s.target.workflowId) ?? s.target.workflowId}
    </Link>
  ) : (
    <Link href={`/events/${seg(s.target.eventId ?? '')}`} data-target={s.target.eventId}>
      event {names.get(s.target.eventId ?? '') ?? s.target.eventId}
    </Link>
  );

/** Pause or resume, and delete (asked twice), of one schedule. */
const ScheduleActions = ({ s }: { s: Schedule }) => {
  const api = useApi();
  const client = useQueryClient();
  const refresh = () => void client.invalidateQueries({ queryKey: ['schedules'] });
  const toggle = useMutation({
    mutationFn: () => api.patch<Schedule>(`/schedules/${seg(s.id)}`, { enabled: !s.enabled }),
    onSuccess: refresh,
  });
  const remove = useMutation({ mutationFn: () => api.del(`/schedules/${seg(s.id)}`), onSuccess: refresh });
  return (
    <div className="actions">
      <button type="button" onClick={() => toggle.mutate()} disabled={toggle.isPending}>
        {toggle.isPending ? (s.enabled ? 'Pausing…' : 'Resuming…') : s.enabled ? 'Pause' : 'Resume'}
      </button>
      <ConfirmAction
        label="Delete"
        confirm="Confirm delete"
        busy="Deleting…"
        pending={remove.isPending}
        onConfirm={() => remove.mutate()}
      />
      <ErrorMessage error={toggle.error ?? remove.error} />
    </div>
  );
};

/** Every schedule of the tenant; a new one is previewed before it is saved. */
export const SchedulesPage = () => {
  const api = useApi();
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<string | undefined>();
  const schedules = useQuery({
    queryKey: ['schedules', 'list'],
    queryFn: () => api.get<Page<Schedule>>('/schedules?limit=100'),
    refetchInterval: 5_000,
  });
  const events = useQuery({ queryKey: ['events', 'all'], queryFn: () => api.get<Page<EventSummary>>('/events?limit=100') });
  const workflows = useQuery({ queryKey: ['workflows', 'all'], queryFn: () => api.get<Page<Workflow>>('/workflows?limit=100') });
  const names = new Map([...(events.data?.items ?? []), ...(workflows.data?.items ?? [])].map((t) => [t.id, t.name]));
  const items = schedules.data?.items ?? [];

  return (
    <>
      <PageHeader title="Schedules">
        <button type="button" className="primary" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
          {creating ? 'Close form' : 'New schedule'}
        </button>
      </PageHeader>
      {creating ? (
        <ScheduleForm
          onSaved={(s) => {
            setCreating(false);
            setOpen(s.id);
          }}
        />
      ) : null}
      <QueryList query={schedules} what="schedules" count={items.length} empty="No schedules yet.">
        <div className="table-wrap">
          <table className="schedules" aria-label="Schedules">
            <thead>
              <tr>
                <th>Name</th>
                <th>Target</th>
                <th>Expression</th>
                <th>Zone</th>
                <th>Enabled</th>
                <th>Next fire</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <Fragment key={s.id}>
                  <tr data-schedule-id={s.id}>
                    <td>
                      <button
                        type="button"
                        className="link"
                        aria-expanded={open === s.id}
                        onClick={() => setOpen((o) => (o === s.id ? undefined : s.id))}
                      >
                        {s.name}
                      </button>
                    </td>
                    <td>
                      <TargetLink s={s} names={names} />
                    </td>
                    <td className="mono">{timingText(s)}</td>
                    <td>{s.timezone}</td>
                    <td>
                      <span className={`badge ${s.enabled ? 'status-completed' : 'status-skipped'}`} data-enabled={s.enabled}>
                        {s.enabled ? 'enabled' : 'paused'}
                      </span>
                    </td>
                    <td>{s.nextFireAt ? <When iso={s.nextFireAt} /> : '—'}</td>
                    <td>
                      <ScheduleActions s={s} />
                    </td>
                  </tr>
                  {open === s.id ? (
                    <tr className="schedule-details">
                      <td colSpan={7}>
                        <ScheduleFires id={s.id} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      </QueryList>
    </>
  );
};
