import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { seg } from '../api/client';
import type { EventDef } from '../api/eventTypes';
import { useApi } from '../api/SessionContext';
import type { Page } from '../api/types';
import { PageHeader, QueryList, When } from '../ui/components';
import './events.css';

const targetOf = (e: EventDef): string => {
  if (e.runtime === 'http') return e.http ? `${e.http.method} ${e.http.url}` : 'HTTP request';
  if (e.runtime === 'tool') return 'tool action';
  if (e.target?.type === 'ssh') return `${e.target.serverIds.length} server${e.target.serverIds.length === 1 ? '' : 's'}`;
  return 'container';
};

/** The tenant's saved events, newest first. */
export const EventsPage = () => {
  const api = useApi();
  const events = useInfiniteQuery({
    queryKey: ['events'],
    queryFn: ({ pageParam }) => api.get<Page<EventDef>>(`/events?limit=100${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader title="Events">
        <Link href="/events/new" className="button primary">
          New event
        </Link>
      </PageHeader>
      <QueryList
        query={events}
        what="events"
        count={items.length}
        empty="No events yet. An event is a saved job: a script or request you can run, schedule and chain."
      >
        <div className="table-wrap">
          <table className="events">
            <thead>
              <tr>
                <th>Name</th>
                <th>Runtime</th>
                <th>Target</th>
                <th>Last edit</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id} data-event-id={e.id}>
                  <td>
                    <Link href={`/events/${seg(e.id)}`}>{e.name}</Link>
                  </td>
                  <td>{e.runtime}</td>
                  <td className="target-cell">{targetOf(e)}</td>
                  <td>
                    <When iso={e.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </QueryList>
      {events.hasNextPage ? (
        <button type="button" onClick={() => void events.fetchNextPage()} disabled={events.isFetchingNextPage}>
          {events.isFetchingNextPage ? 'Loading…' : 'More events'}
        </button>
      ) : null}
    </>
  );
};
