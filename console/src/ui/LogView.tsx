import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { LogLine } from '../api/types';

const ROW_PX = 20;

/**
 * A job's log as a virtualised list (only the visible rows are in the DOM), stderr marked. It follows
 * the end while the reader is at the bottom and stops when they scroll up; "Follow" resumes.
 */
export const LogView = ({ lines, version, search = '' }: { lines: readonly LogLine[]; version: number; search?: string }) => {
  const scroller = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);
  const needle = search.toLowerCase();
  const shown = useMemo(
    () => (needle ? lines.filter((l) => l.line.toLowerCase().includes(needle)) : lines),
    // `lines` grows in place; `version` says when.
    [lines, version, needle],
  );
  const rows = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 20 });

  useEffect(() => {
    if (following && shown.length > 0) rows.scrollToIndex(shown.length - 1, { align: 'end' });
  }, [following, shown.length, rows]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_PX * 2;
    if (atEnd !== following) setFollowing(atEnd);
  };

  return (
    <div className="log-view">
      <div className="log-scroll" ref={scroller} onScroll={onScroll} tabIndex={0} role="log" aria-label="Job log" aria-live="off">
        <div style={{ height: rows.getTotalSize(), position: 'relative' }}>
          {rows.getVirtualItems().map((row) => {
            const line = shown[row.index]!;
            return (
              <div
                key={line.seq}
                className={`log-line ${line.stream}`}
                data-seq={line.seq}
                style={{ position: 'absolute', top: 0, transform: `translateY(${row.start}px)`, height: ROW_PX }}
              >
                <span className="seq">{line.seq}</span>
                {line.server ? <span className="server">{line.server}</span> : null}
                <span className="text">{line.line}</span>
              </div>
            );
          })}
        </div>
      </div>
      <div className="log-footer">
        <span className="muted">{needle ? `${shown.length} of ${lines.length} lines` : `${lines.length} lines`}</span>
        {following ? null : (
          <button type="button" onClick={() => setFollowing(true)}>
            Follow
          </button>
        )}
      </div>
    </div>
  );
};
