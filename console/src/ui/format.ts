/** "1.2 s", "3 min 4 s", "250 ms". */
export const formatDuration = (ms: number | undefined): string => {
  if (ms === undefined) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1_000)} s`;
};

/** A local date and time, to the second. */
export const formatTime = (iso: string | undefined): string => (iso ? new Date(iso).toLocaleString(undefined, { hour12: false }) : '—');

/** "5 s ago", "in 3 min". */
export const formatRelative = (iso: string | undefined, now = Date.now()): string => {
  if (!iso) return '—';
  const diff = new Date(iso).getTime() - now;
  const abs = Math.abs(diff);
  const text =
    abs < 60_000
      ? `${Math.round(abs / 1_000)} s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 86_400_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} d`;
  return diff < 0 ? `${text} ago` : `in ${text}`;
};

export const formatJson = (value: unknown): string => JSON.stringify(value, null, 2);
