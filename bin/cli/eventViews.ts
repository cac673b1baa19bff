import { formatTimestamp, renderTable } from './format';
import type { EventDef } from './types';

/** The `events list` table: id, name, runtime, created. */
export const eventsTable = (events: readonly EventDef[]): string =>
  renderTable(
    ['ID', 'NAME', 'RUNTIME', 'CREATED'],
    events.map((e) => [e.id, e.name, e.runtime, formatTimestamp(e.createdAt)]),
  );

/** `events show`: the definition as `key: value` lines, then the script. */
export const eventDetails = (e: EventDef): string => {
  const r = e.resources ?? {};
  const rows: [string, string | undefined][] = [
    ['id', e.id],
    ['name', e.name],
    ['runtime', e.runtime],
    ['timeout', e.timeoutSeconds === undefined ? undefined : `${e.timeoutSeconds}s`],
    ['cpu', r.cpu === undefined ? undefined : String(r.cpu)],
    ['memory', r.memoryMb === undefined ? undefined : `${r.memoryMb} MiB`],
    ['pids', r.pids === undefined ? undefined : String(r.pids)],
    ['env', e.env && Object.keys(e.env).length > 0 ? Object.keys(e.env).sort().join(', ') : undefined],
    ['created', e.createdAt && formatTimestamp(e.createdAt)],
    ['updated', e.updatedAt && formatTimestamp(e.updatedAt)],
  ];
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
  const width = Math.max(...shown.map(([k]) => k.length)) + 1;
  const header = shown.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`).join('\n');
  const script = e.script.endsWith('\n') ? e.script : `${e.script}\n`;
  return `${header}\n\n${script}`;
};
