import { useState } from 'react';
import { type EdgeCondition, edgeConditions, type EventSummary, type WorkflowEdge, type WorkflowNode } from '../api/workflowTypes';
import { Field } from './components';

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'step';

/** A step id not taken yet, from the event's name. */
const freeId = (name: string, taken: Set<string>) => {
  const base = slug(name);
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
};

/** Adds a step: an event, under an id unique in the workflow. */
export const AddStepForm = ({
  events,
  nodes,
  onAdd,
}: {
  events: EventSummary[];
  nodes: WorkflowNode[];
  onAdd: (n: WorkflowNode) => void;
}) => {
  const [eventId, setEventId] = useState('');
  const [id, setId] = useState('');
  const taken = new Set(nodes.map((n) => n.id));
  const event = events.find((e) => e.id === eventId);
  const stepId = id.trim() || (event ? freeId(event.name, taken) : '');
  return (
    <form
      className="wf-form"
      aria-label="Add step"
      onSubmit={(e) => {
        e.preventDefault();
        if (!event || taken.has(stepId)) return;
        onAdd({ id: stepId, eventId });
        setId('');
      }}
    >
      <Field label="Event">
        <select value={eventId} onChange={(e) => setEventId(e.target.value)} required>
          <option value="">choose…</option>
          {events.map((ev) => (
            <option key={ev.id} value={ev.id}>
              {ev.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Step id">
        <input value={id} placeholder={stepId || 'from the event name'} onChange={(e) => setId(e.target.value)} />
      </Field>
      <button type="submit" disabled={!event || taken.has(stepId)}>
        Add step
      </button>
      {taken.has(stepId) && id ? <span className="error">step {stepId} exists</span> : null}
    </form>
  );
};

/** Adds an edge without dragging: from, to, when. */
export const AddEdgeForm = ({ nodes, onAdd }: { nodes: WorkflowNode[]; onAdd: (e: WorkflowEdge) => void }) => {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [when, setWhen] = useState<EdgeCondition>('success');
  const ready = from !== '' && to !== '' && from !== to;
  return (
    <form
      className="wf-form"
      aria-label="Add edge"
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) onAdd({ from, to, when });
      }}
    >
      <Field label="From">
        <select value={from} onChange={(e) => setFrom(e.target.value)} required>
          <option value="">choose…</option>
          {nodes.map((n) => (
            <option key={n.id}>{n.id}</option>
          ))}
        </select>
      </Field>
      <Field label="To">
        <select value={to} onChange={(e) => setTo(e.target.value)} required>
          <option value="">choose…</option>
          {nodes.map((n) => (
            <option key={n.id}>{n.id}</option>
          ))}
        </select>
      </Field>
      <Field label="When">
        <WhenSelect value={when} onChange={setWhen} />
      </Field>
      <button type="submit" disabled={!ready}>
        Add edge
      </button>
    </form>
  );
};

export const WhenSelect = ({ value, onChange, label }: { value: EdgeCondition; onChange: (w: EdgeCondition) => void; label?: string }) => (
  <select value={value} onChange={(e) => onChange(e.target.value as EdgeCondition)} aria-label={label}>
    {edgeConditions.map((w) => (
      <option key={w}>{w}</option>
    ))}
  </select>
);
