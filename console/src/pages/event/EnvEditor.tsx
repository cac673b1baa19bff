import type { Variable } from '../../api/eventTypes';
import type { EnvRow } from './eventForm';

/**
 * The job's environment: each name takes a literal or a variable of the tenant (`{fromVariable}`),
 * picked from the list so a key cannot be mistyped. A secret's value is masked in the job's log.
 */
export const EnvEditor = ({ rows, variables, onChange }: { rows: EnvRow[]; variables: Variable[]; onChange: (rows: EnvRow[]) => void }) => {
  const update = (i: number, patch: Partial<EnvRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="env-rows">
      {rows.length === 0 ? <p className="muted">No environment variables.</p> : null}
      {rows.map((row, i) => {
        const what = row.name || `row ${i + 1}`;
        const known = variables.some((v) => v.key === row.value);
        return (
          <div className="env-row" key={i}>
            <input
              aria-label={`Name of ${what}`}
              placeholder="NAME"
              value={row.name}
              onChange={(e) => update(i, { name: e.target.value })}
            />
            <select
              aria-label={`Source of ${what}`}
              value={row.kind}
              onChange={(e) => update(i, { kind: e.target.value as EnvRow['kind'], value: '' })}
            >
              <option value="value">value</option>
              <option value="variable">from variable</option>
            </select>
            {row.kind === 'value' ? (
              <input aria-label={`Value of ${what}`} value={row.value} onChange={(e) => update(i, { value: e.target.value })} />
            ) : (
              <select aria-label={`Variable for ${what}`} value={row.value} onChange={(e) => update(i, { value: e.target.value })}>
                <option value="">choose a variable…</option>
                {variables.map((v) => (
                  <option key={v.key} value={v.key}>
                    {v.key}
                    {v.secret ? ' (secret)' : ''}
                  </option>
                ))}
                {row.value && !known ? <option value={row.value}>{row.value} (missing)</option> : null}
              </select>
            )}
            <button type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove ${what}`}>
              Remove
            </button>
          </div>
        );
      })}
      <button type="button" onClick={() => onChange([...rows, { name: '', kind: 'value', value: '' }])}>
        Add variable
      </button>
    </div>
  );
};
