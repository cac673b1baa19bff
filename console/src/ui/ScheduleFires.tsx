import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { seg } from '../api/client';
import { useApi } from '../api/SessionContext';
import type { FireTime, ScheduleDetails } from '../api/scheduleTypes';
import { ErrorMessage, Loading, StatusBadge } from './components';

/** Fire times as the API gives them: UTC, and local in the schedule's zone with its offset. */
export const FireTable = ({ fires, label }: { fires: FireTime[]; label: string }) => (
  <div className="table-wrap">
    <table className="fires" aria-label={label}>
      <thead>
        <tr>
          <th>#</th>
          <th>Local (schedule zone)</th>
          <th>UTC</th>
        </tr>
      </thead>
      <tbody>
        {fires.map((f, i) => (
          <tr key={f.utc}>
            <td>{i + 1}</td>
            <td className="mono" data-local={f.local}>
              {f.local}
            </td>
            <td className="mono" data-utc={f.utc}>
              {f.utc}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

/** One schedule's next five fires and its last fires, each linked to the job or workflow run it started. */
export const ScheduleFires = ({ id }: { id: string }) => {
  const api = useApi();
  const details = useQuery({
    queryKey: ['schedules', id],
    queryFn: () => api.get<ScheduleDetails>(`/schedules/${seg(id)}`),
    refetchInterval: 5_000,
  });
  if (details.isPending) return <Loading what="its fires" />;
  if (!details.data) return <ErrorMessage error={details.error} />;
  const { nextFires, lastFires } = details.data;
  return (
    <div className="schedule-fires">
      <h3>Next fires</h3>
      {nextFires.length ? <FireTable fires={nextFires} label="Next fires" /> : <p className="muted">None: paused or finished.</p>}
      <h3>Last fires</h3>
      {lastFires.length === 0 ? (
        <p className="muted">It has not fired yet.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Last fires">
            <thead>
              <tr>
                <th>Fire time (UTC)</th>
                <th>Status</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {lastFires.map((f) => (
                <tr key={f.fireAt}>
                  <td className="mono">{f.fireAt}</td>
                  <td>
                    <StatusBadge status={f.status} />
                    {f.reason ? <span className="muted"> {f.reason}</span> : null}
                  </td>
                  <td>
                    {f.workflowRunId ? (
                      <Link href={`/workflow-runs/${seg(f.workflowRunId)}`} className="mono">
                        run {f.workflowRunId}
                      </Link>
                    ) : f.jobId ? (
                      <Link href={`/jobs/${seg(f.jobId)}`} className="mono">
                        job {f.jobId}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
};
