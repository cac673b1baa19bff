import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { seg } from '../api/client';
import type { EventDef, Server, Variable } from '../api/eventTypes';
import { useApi } from '../api/SessionContext';
import { ErrorMessage, Loading, PageHeader, When } from '../ui/components';
import { EventFields } from './event/EventFields';
import { emptyForm, type EventForm, fromEvent, toBody } from './event/eventForm';
import { RunPanel } from './event/RunPanel';
import { ConfirmAction } from '../ui/ConfirmAction';
import './events.css';

/** The editor for one event, held in local state from when it opened (`key` resets it per event). */
const Editor = ({ event }: { event?: EventDef }) => {
  const api = useApi();
  const queries = useQueryClient();
  const [, navigate] = useLocation();
  const [form, setForm] = useState<EventForm>(() => (event ? fromEvent(event) : emptyForm()));
  const [dirty, setDirty] = useState(false);
  const variables = useQuery({ queryKey: ['variables'], queryFn: () => api.get<{ items: Variable[] }>('/variables') });
  const servers = useQuery({ queryKey: ['servers'], queryFn: () => api.get<{ items: Server[] }>('/servers') });

  const save = useMutation({
    mutationFn: () => {
      const body = toBody(form);
      return event ? api.put<EventDef>(`/events/${seg(event.id)}`, body) : api.post<EventDef>('/events', body);
    },
    onSuccess: (saved) => {
      setDirty(false);
      queries.setQueryData(['event', saved.id], saved);
      void queries.invalidateQueries({ queryKey: ['events'] });
      if (!event) navigate(`/events/${seg(saved.id)}`, { replace: true });
    },
  });
  const remove = useMutation({
    mutationFn: () => api.del(`/events/${seg(event!.id)}`),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['events'] });
      navigate('/events');
    },
  });
  const set = (patch: Partial<EventForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setDirty(true);
    save.reset();
  };

  return (
    <>
      <PageHeader title={event ? event.name : 'New event'}>
        {save.isSuccess && !dirty ? (
          <span className="muted" role="status">
            Saved
          </span>
        ) : null}
        <button type="submit" form="event-form" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
        {event ? (
          <ConfirmAction
            label="Delete"
            confirm="Delete for good"
            busy="Deleting…"
            keep="Keep it"
            pending={remove.isPending}
            onConfirm={() => remove.mutate()}
          />
        ) : null}
      </PageHeader>
      {event ? (
        <p className="muted event-meta">
          <span className="mono">{event.id}</span> · last edit <When iso={event.updatedAt} /> ·{' '}
          <Link href={`/jobs?eventId=${encodeURIComponent(event.id)}`}>its jobs</Link>
        </p>
      ) : null}
      <ErrorMessage error={save.error ?? remove.error ?? variables.error ?? servers.error} />
      <form
        id="event-form"
        className="event-form"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <EventFields form={form} set={set} servers={servers.data?.items ?? []} variables={variables.data?.items ?? []} />
      </form>
      {event ? <RunPanel eventId={event.id} unsaved={dirty} /> : <p className="muted">Save the event to run it.</p>}
    </>
  );
};

/** `#/events/new` and `#/events/ID`: write, save, delete and run an event. */
export const EventEditorPage = () => {
  const { id } = useParams<{ id?: string }>();
  const api = useApi();
  const event = useQuery({ queryKey: ['event', id], queryFn: () => api.get<EventDef>(`/events/${seg(id!)}`), enabled: !!id });
  if (!id) return <Editor key="new" />;
  if (event.isPending) return <Loading what="the event" />;
  if (!event.data) return <ErrorMessage error={event.error} />;
  return <Editor key={id} event={event.data} />;
};
