import { cloneElement, isValidElement, type ReactNode, useId } from 'react';
import { ApiError } from '../api/client';
import { formatRelative, formatTime } from './format';

export const StatusBadge = ({ status }: { status: string }) => (
  <span className={`badge status-${status}`} data-status={status}>
    {status}
  </span>
);

/** An error in the API's own words (or the browser's, when the API was not reached). */
export const ErrorMessage = ({ error }: { error: unknown }) => {
  if (!error) return null;
  const text = error instanceof ApiError || error instanceof Error ? error.message : 'something went wrong';
  return (
    <p className="error" role="alert">
      {text}
    </p>
  );
};

export const When = ({ iso }: { iso: string | undefined }) => (
  <time dateTime={iso} title={formatTime(iso)}>
    {formatRelative(iso)}
  </time>
);

export const PageHeader = ({ title, children }: { title: string; children?: ReactNode }) => (
  <header className="page-header">
    <h1>{title}</h1>
    <div className="actions">{children}</div>
  </header>
);

export const Loading = ({ what }: { what: string }) => (
  <p className="muted" role="status">
    Loading {what}…
  </p>
);

/**
 * What a list page shows for its query: the error if any, then the loading line, the `empty` line
 * when there is nothing, or the list (`children`).
 */
export const QueryList = ({
  query,
  what,
  count,
  empty,
  children,
}: {
  query: { error: unknown; isPending: boolean };
  what: string;
  count: number;
  empty: string;
  children: ReactNode;
}) => (
  <>
    <ErrorMessage error={query.error} />
    {query.isPending ? <Loading what={what} /> : count === 0 ? <p className="muted">{empty}</p> : children}
  </>
);

/**
 * A label above its control; `hint` below in small print, linked as the control's description (not
 * part of its name, so a screen reader announces "Timezone", then the hint).
 */
export const Field = ({ label, hint, children }: { label: string; hint?: ReactNode; children: ReactNode }) => {
  const hintId = useId();
  const described =
    hint && isValidElement<{ 'aria-describedby'?: string }>(children) ? cloneElement(children, { 'aria-describedby': hintId }) : children;
  return (
    <div className="field">
      <label>
        <span className="field-label">{label}</span>
        {described}
      </label>
      {hint ? (
        <span className="field-hint" id={hintId}>
          {hint}
        </span>
      ) : null}
    </div>
  );
};

/** Rows of `term: value`. */
export const Facts = ({ rows }: { rows: [string, ReactNode][] }) => (
  <dl className="facts">
    {rows.map(([term, value]) => (
      <div key={term}>
        <dt>{term}</dt>
        <dd>{value ?? '—'}</dd>
      </div>
    ))}
  </dl>
);
