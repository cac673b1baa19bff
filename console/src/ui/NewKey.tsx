import { useState } from 'react';
import type { CreatedKey } from '../api/opsTypes';

/** A key just created: shown this once, with a copy button; the API keeps only its hash. */
export const NewKey = ({ created, onDone }: { created: CreatedKey; onDone(): void }) => {
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <section className="new-key" aria-label="New key">
      <p className="warning" role="alert">
        Copy this {created.role} key for tenant <b>{created.tenant}</b> now: it is shown only once and cannot be read again.
      </p>
      <div className="new-key-row">
        <input className="mono" readOnly value={created.key} aria-label="New API key" onFocus={(e) => e.target.select()} />
        <button type="button" onClick={() => void copy()}>
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
      {copied === 'failed' ? <p className="muted">The browser refused the clipboard: select the key and copy it by hand.</p> : null}
    </section>
  );
};
