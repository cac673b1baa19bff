import { jobKeyId, type JobKey, type LogLine } from '../model';

/** The lines this process stored last for each job, so live delivery need not read them back. */
export interface RecentLines {
  /** Adds lines just stored (consecutive seqs); lines that do not follow the held ones replace them. */
  add(key: JobKey, lines: readonly LogLine[]): void;
  /**
   * Up to `limit` held lines after `afterSeq` (none when it is at or past the newest held line), and
   * whether more are held after them; undefined when nothing is held for the job or the held lines
   * start after `afterSeq + 1` (the caller reads the store).
   */
  after(key: JobKey, afterSeq: number, limit: number): { lines: LogLine[]; more: boolean } | undefined;
  forget(key: JobKey): void;
}

interface Held {
  lines: LogLine[];
  bytes: number;
}

const sizeOf = (l: LogLine) => l.line.length + 64;

/**
 * A bounded memory of each job's newest stored lines: at most `maxLines` lines and about `maxBytes`
 * per job, for the `maxJobs` jobs stored to most recently. It only ever holds what the store holds
 * (the recorder adds what it stored, in seq order, without holes), so a subscriber served from it
 * gets exactly the stored lines; one that is further behind reads the store.
 */
export const createRecentLines = (o: { maxLines?: number; maxBytes?: number; maxJobs?: number } = {}): RecentLines => {
  const maxLines = o.maxLines ?? 8_192;
  const maxBytes = o.maxBytes ?? 2 * 1024 * 1024;
  const maxJobs = o.maxJobs ?? 64;
  const held = new Map<string, Held>();

  return {
    add(key, lines) {
      if (lines.length === 0) return;
      const id = jobKeyId(key);
      let h = held.get(id);
      held.delete(id);
      if (!h || h.lines.at(-1)!.seq + 1 !== lines[0]!.seq) h = { lines: [], bytes: 0 };
      for (const l of lines) {
        h.lines.push(l);
        h.bytes += sizeOf(l);
      }
      let drop = 0;
      for (let bytes = h.bytes; h.lines.length - drop > maxLines || (bytes > maxBytes && h.lines.length - drop > 1); drop++) {
        bytes -= sizeOf(h.lines[drop]!);
      }
      if (drop > 0) {
        for (const l of h.lines.slice(0, drop)) h.bytes -= sizeOf(l);
        h.lines = h.lines.slice(drop);
      }
      held.set(id, h);
      if (held.size > maxJobs) held.delete(held.keys().next().value!);
    },

    after(key, afterSeq, limit) {
      const h = held.get(jobKeyId(key));
      const first = h?.lines[0]?.seq;
      if (!h || first === undefined || afterSeq + 1 < first) return undefined;
      const from = afterSeq + 1 - first;
      if (from >= h.lines.length) return { lines: [], more: false };
      const lines = h.lines.slice(from, from + limit);
      return { lines, more: from + limit < h.lines.length };
    },

    forget(key) {
      held.delete(jobKeyId(key));
    },
  };
};
