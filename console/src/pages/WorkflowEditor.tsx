import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type Connection, useEdgesState, useNodesState } from '@xyflow/react';
import { useState } from 'react';
import { useLocation, useParams } from 'wouter';
import { seg } from '../api/client';
import { useApi } from '../api/SessionContext';
import type { Page } from '../api/types';
import type { EdgeCondition, EventSummary, Workflow, WorkflowEdge, WorkflowNode, WorkflowRun } from '../api/workflowTypes';
import { ErrorMessage, Field, Loading, PageHeader } from '../ui/components';
import { WorkflowCanvas } from '../ui/WorkflowCanvas';
import { AddEdgeForm, AddStepForm, WhenSelect } from '../ui/WorkflowForms';
import { edgeId, type FlowEdge, flowEdgeOf, flowNodesOf, type StepNode, WorkflowLegend } from '../ui/WorkflowGraph';
import './workflows.css';

const edgeOf = (e: FlowEdge): WorkflowEdge => ({ from: e.source, to: e.target, when: e.data!.when });

/** The editor, from a saved workflow or empty (`#/workflows/new`). */
export const WorkflowEditorPage = () => {
  const { id } = useParams<{ id?: string }>();
  const api = useApi();
  const workflow = useQuery({
    queryKey: ['workflows', id],
    queryFn: () => api.get<Workflow>(`/workflows/${seg(id!)}`),
    enabled: id !== undefined,
  });
  const events = useQuery({ queryKey: ['events', 'all'], queryFn: () => api.get<Page<EventSummary>>('/events?limit=100') });

  if ((id && workflow.isPending) || events.isPending) return <Loading what="the workflow" />;
  if (id && !workflow.data) return <ErrorMessage error={workflow.error} />;
  if (!events.data) return <ErrorMessage error={events.error} />;
  return <Editor key={id ?? 'new'} initial={workflow.data} events={events.data.items} />;
};

const Editor = ({ initial, events }: { initial?: Workflow; events: EventSummary[] }) => {
  const api = useApi();
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const eventName = (n: WorkflowNode) => events.find((e) => e.id === n.eventId)?.name;
  const [name, setName] = useState(initial?.name ?? '');
  const [nodes, setNodes, onNodesChange] = useNodesState<StepNode>(
    flowNodesOf(initial?.nodes ?? [], initial?.edges ?? [], (n) => ({ eventName: eventName(n) })),
  );
  const [edges, setEdges, onEdgesChange] = useEdgesState<FlowEdge>((initial?.edges ?? []).map(flowEdgeOf));
  const [newWhen, setNewWhen] = useState<EdgeCondition>('success');
  const [dirty, setDirty] = useState(false);
  const changed =
    <A extends unknown[]>(f: (...a: A) => void) =>
    (...a: A) => {
      f(...a);
      setDirty(true);
    };

  const steps = nodes.map((n) => n.data.step);
  const addStep = changed((step: WorkflowNode) => {
    const below = nodes.reduce((y, n) => Math.max(y, n.position.y + 110), 0);
    setNodes((ns) => [
      ...ns,
      { id: step.id, type: 'step', position: { x: 0, y: ns.length ? below : 0 }, data: { step, eventName: eventName(step) } },
    ]);
  });
  const addEdge = changed((e: WorkflowEdge) => setEdges((es) => [...es.filter((x) => x.id !== edgeId(e)), flowEdgeOf(e)]));
  const setWhen = changed((id: string, when: EdgeCondition) =>
    setEdges((es) => es.map((e) => (e.id === id ? { ...flowEdgeOf({ ...edgeOf(e), when }), selected: e.selected } : e))),
  );
  const removeEdge = changed((id: string) => setEdges((es) => es.filter((e) => e.id !== id)));
  const removeStep = changed((id: string) => {
    setNodes((ns) => ns.filter((n) => n.id !== id));
    setEdges((es) => es.filter((e) => e.source !== id && e.target !== id));
  });

  const body = () => ({
    name: name.trim(),
    nodes: steps,
    edges: edges.map(edgeOf),
    ...(initial?.notify ? { notify: initial.notify } : {}),
  });
  const persist = async (): Promise<Workflow> => {
    const saved = initial
      ? await api.put<Workflow>(`/workflows/${seg(initial.id)}`, body())
      : await api.post<Workflow>('/workflows', body());
    setDirty(false);
    void client.invalidateQueries({ queryKey: ['workflows'] });
    return saved;
  };
  const save = useMutation({
    mutationFn: persist,
    onSuccess: (w) => {
      if (!initial) navigate(`/workflows/${seg(w.id)}`, { replace: true });
    },
  });
  const run = useMutation({
    mutationFn: async () => {
      const wf = dirty || !initial ? await persist() : initial;
      return api.post<WorkflowRun>(`/workflows/${seg(wf.id)}/runs`, {});
    },
    onSuccess: (r) => navigate(`/workflow-runs/${seg(r.id)}`),
  });

  return (
    <>
      <PageHeader title={initial ? `Workflow ${initial.name}` : 'New workflow'}>
        {dirty ? <span className="muted">unsaved changes</span> : null}
        <button type="button" className="primary" onClick={() => save.mutate()} disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={() => run.mutate()} disabled={run.isPending || steps.length === 0}>
          {run.isPending ? 'Starting…' : dirty || !initial ? 'Save and run' : 'Run'}
        </button>
      </PageHeader>
      <ErrorMessage error={save.error ?? run.error} />
      <div className="wf-name">
        <Field label="Name">
          <input value={name} onChange={(e) => changed(setName)(e.target.value)} required />
        </Field>
      </div>
      <div className="wf-toolbar">
        <WorkflowLegend />
        <Field label="Connections drawn on the graph are">
          <WhenSelect value={newWhen} onChange={setNewWhen} />
        </Field>
      </div>
      <WorkflowCanvas
        label="Workflow graph"
        editable
        nodes={nodes}
        edges={edges}
        onNodesChange={(c) => {
          onNodesChange(c);
          if (c.some((x) => x.type === 'remove' || (x.type === 'position' && !x.dragging))) setDirty(true);
        }}
        onEdgesChange={(c) => {
          onEdgesChange(c);
          if (c.some((x) => x.type === 'remove')) setDirty(true);
        }}
        onConnect={(c: Connection) => addEdge({ from: c.source, to: c.target, when: newWhen })}
      />
      <div className="wf-panels">
        <section aria-label="Steps">
          <h2>Steps</h2>
          <AddStepForm events={events} nodes={steps} onAdd={addStep} />
          <ul className="wf-list">
            {steps.map((s) => (
              <li key={s.id} data-step-row={s.id}>
                <span className="mono">{s.id}</span> <span className="muted">{eventName(s) ?? s.eventId}</span>
                <button type="button" className="link" onClick={() => removeStep(s.id)} aria-label={`Delete step ${s.id}`}>
                  delete
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section aria-label="Edges">
          <h2>Edges</h2>
          <AddEdgeForm nodes={steps} onAdd={addEdge} />
          <ul className="wf-list">
            {edges.map((e) => (
              <li key={e.id} data-edge-row={e.id}>
                <span className="mono">
                  {e.source} → {e.target}
                </span>
                <WhenSelect value={e.data!.when} onChange={(w) => setWhen(e.id, w)} label={`When for ${e.source} to ${e.target}`} />
                <button
                  type="button"
                  className="link"
                  onClick={() => removeEdge(e.id)}
                  aria-label={`Delete edge ${e.source} to ${e.target}`}
                >
                  delete
                </button>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </>
  );
};
