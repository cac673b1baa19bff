import { useState } from 'react';

/**
 * A destructive action asked for twice: the first button offers the real one and a way back, so a
 * slip of the mouse or the keyboard destroys nothing.
 */
export const ConfirmAction = (o: {
  /** The first button's text ("Delete"), and its accessible name where the text alone is ambiguous. */
  label: string;
  ariaLabel?: string;
  /** The second button's text ("Delete for good"), and its text while the action runs ("Deleting…"). */
  confirm: string;
  busy: string;
  /** The way back. @default 'Keep' */
  keep?: string;
  pending: boolean;
  onConfirm(): void;
}) => {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="danger" onClick={() => setConfirming(true)} aria-label={o.ariaLabel}>
        {o.label}
      </button>
    );
  }
  return (
    <span className="actions">
      <button type="button" className="danger" onClick={o.onConfirm} disabled={o.pending}>
        {o.pending ? o.busy : o.confirm}
      </button>
      <button type="button" onClick={() => setConfirming(false)}>
        {o.keep ?? 'Keep'}
      </button>
    </span>
  );
};
