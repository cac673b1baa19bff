import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { followJob, type JobFrame } from './jobSocket';
import { useSession } from './SessionContext';
import type { LogLine } from './types';

export interface FollowedJob {
  /** Every line so far, in order; the same array grows (read it with `version` as the change signal). */
  lines: readonly LogLine[];
  version: number;
  /** The latest status frame. */
  status?: Extract<JobFrame, { type: 'status' }>;
  connected: boolean;
  error?: string;
}

/**
 * Follows a job's log and status live. Lines are gathered outside React and published at most once
 * per animation frame, so a job writing a thousand lines a second costs one render per frame.
 */
export const useJobFollow = (jobId: string | undefined): FollowedJob => {
  const { config, key } = useSession();
  const queries = useQueryClient();
  const lines = useRef<LogLine[]>([]);
  const [state, setState] = useState<Omit<FollowedJob, 'lines'>>({ version: 0, connected: false });

  useEffect(() => {
    lines.current = [];
    setState({ version: 0, connected: false });
    if (!jobId) return;
    let scheduled = 0;
    const publish = () => {
      scheduled = 0;
      setState((s) => ({ ...s, version: lines.current.length }));
    };
    const socket = followJob({
      wsUrl: config.wsUrl,
      key,
      jobId,
      onConnection: (c) => setState((s) => ({ ...s, connected: c === 'open' })),
      onFrame: (frame) => {
        if (frame.type === 'logs') {
          for (const line of frame.lines) lines.current.push(line);
          scheduled ||= requestAnimationFrame(publish);
        } else if (frame.type === 'status') {
          setState((s) => ({ ...s, status: frame }));
          void queries.invalidateQueries({ queryKey: ['job', jobId] });
        } else if (frame.type === 'error') {
          setState((s) => ({ ...s, error: frame.message }));
        }
      },
    });
    return () => {
      cancelAnimationFrame(scheduled);
      socket.close();
    };
  }, [jobId, config.wsUrl, key, queries]);

  return { ...state, lines: lines.current };
};
