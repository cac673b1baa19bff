import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useLocation } from 'wouter';
import { seg } from '../api/client';
import { useApi } from '../api/SessionContext';
import type { Page } from '../api/types';
import type { Workflow, WorkflowRun } from '../api/workflowTypes';
import { ErrorMessage, PageHeader, QueryList, When } from '../ui/components';
import './workflows.css';

const RunButton = ({ wf }: { wf: Workflow }) => {
  const api = useApi();
  const [, navigate] = useLocation();
  const run = useMutation({
    mutationFn: () => api.post<WorkflowRun>(`/workflows/${seg(wf.id)}/runs`, {}),
    onSuccess: (r) => navigate(`/workflow-runs/${seg(r.id)}`),
  });
  return (
    <>
      <button type="button" onClick={() => run.mutate()} disabled={run.isPending} aria-label={`Run ${wf.name}`}>
        {run.isPending ? 'Starting…' : 'Run'}
      </button>
      <ErrorMessage error={run.error} />
    </>
  );
};

/** Every workflow of the tenant, each opened in the editor or run. */
export const WorkflowsPage = () => {
  const api = useApi();
  const workflows = useQuery({ queryKey: ['workflows', 'list'], queryFn: () => api.get<Page<Workflow>>('/workflows?limit=100') });
  const items = workflows.data?.items ?? [];
  return (
    <>
      <PageHeader title="Workflows">
        <Link href="/workflows/new" className="wf-button primary">
          New workflow
        </Link>
      </PageHeader>
      <QueryList query={workflows} what="workflows" count={items.length} empty="No workflows yet.">
        <div className="table-wrap">
          <table aria-label="Workflows">
            <thead>
              <tr>
                <th>Name</th>
                <th>Steps</th>
                <th>Edges</th>
                <th>Updated</th>
                <th>Run</th>
              </tr>
            </thead>
            <tbody>
              {items.map((wf) => (
                <tr key={wf.id} data-workflow-id={wf.id}>
                  <td>
                    <Link href={`/workflows/${seg(wf.id)}`}>{wf.name}</Link>
                  </td>
                  <td>{wf.nodes.length}</td>
                  <td>{wf.edges.length}</td>
                  <td>
                    <When iso={wf.updatedAt} />
                  </td>
                  <td>
                    <RunButton wf={wf} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </QueryList>
    </>
  );
};
