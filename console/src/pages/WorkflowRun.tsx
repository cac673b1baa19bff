import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useLocation, useParams } from 'wouter';
import { seg } from '../api/client';
import { useApi } from '../api/SessionContext';
import type { Page } from '../api/types';
import type { EventSummary, WorkflowRun } from '../api/workflowTypes';
import { ErrorMessage, Facts, Loading, PageHeader, StatusBadge, When } from '../ui/components';
import { WorkflowCanvas } from '../ui/WorkflowCanvas';
import { flowEdgeOf, flowNodesOf, WorkflowLegend } from '../ui/WorkflowGraph';
import './workflows.css';

/** One run: its graph with each step's status, polled every second while it runs; a step opens its job. */
export const WorkflowRunPage = () => {
  const { id = '' } = useParams<{ id: string }>();
  const api = useApi();
  const [, navigate] = useLocation();
  const run = useQuery({
    queryKey: ['workflow-run', id],
    queryFn: () => api.get<WorkflowRun>(`/workflow-runs/${seg(id)}`),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 1_000 : false),
  });
  const events = useQuery({ queryKey: ['events', 'all'], queryFn: () => api.get<Page<EventSummary>>('/events?limit=100') });
  const cancel = useMutation({ mutationFn: () => api.post(`/workflow-runs/${seg(id)}/cancel`), onSuccess: () => void run.refetch() });
  const retry = useMutation({ mutationFn: () => api.post(`/workflow-runs/${seg(id)}/retry`), onSuccess: () => void run.refetch() });

  if (run.isPending) return <Loading what="the run" />;
  if (!run.data) return <ErrorMessage error={run.error} />;
  const r = run.data;
  const stepOf = new Map(r.steps.map((s) => [s.nodeId, s]));
  const nodes = flowNodesOf(r.nodes, r.edges, (n) => ({
    status: stepOf.get(n.id)?.status ?? 'pending',
    eventName: events.data?.items.find((e) => e.id === n.eventId)?.name,
  })).map((n) => ({
    ...n,
    className: stepOf.get(n.id)?.jobId ? 'wf-has-job' : undefined,
  }));

  return (
    <>
      <PageHeader title={`Run of ${r.workflowName}`}>
        <StatusBadge status={r.status} />
        {r.status === 'running' ? (
          <button type="button" className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            {cancel.isPending ? 'Cancelling…' : 'Cancel run'}
          </button>
        ) : null}
        {r.status === 'failed' || r.status === 'cancelled' ? (
          <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending}>
            {retry.isPending ? 'Retrying…' : 'Retry run'}
          </button>
        ) : null}
      </PageHeader>
      <ErrorMessage error={cancel.error ?? retry.error} />
      <Facts
        rows={[
          ['Workflow', <Link href={`/workflows/${seg(r.workflowId)}`}>{r.workflowName}</Link>],
          ['Run', <span className="mono">{r.id}</span>],
          ['Attempt', r.attempt],
          ['Started', <When iso={r.createdAt} />],
          ['Finished', r.finishedAt ? <When iso={r.finishedAt} /> : null],
          ['Reason', r.reason],
        ]}
      />
      <WorkflowLegend />
      <WorkflowCanvas
        label="Run graph"
        editable={false}
        nodes={nodes}
        edges={r.edges.map(flowEdgeOf)}
        onNodeClick={(_, n) => {
          const jobId = stepOf.get(n.id)?.jobId;
          if (jobId) navigate(`/jobs/${seg(jobId)}`);
        }}
      />
      <section aria-label="Steps">
        <h2>Steps</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Step</th>
                <th>Status</th>
                <th>Job</th>
                <th>Note</th>
              </tr>
            </thead>
            <tbody>
              {r.steps.map((s) => (
                <tr key={s.nodeId} data-step-row={s.nodeId}>
                  <td className="mono">{s.nodeId}</td>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td>
                    {s.jobId ? (
                      <Link href={`/jobs/${seg(s.jobId)}`} className="mono">
                        {s.jobId}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{s.skipReason ?? s.error?.message ?? (s.exitCode !== undefined ? `exit ${s.exitCode}` : '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
};
