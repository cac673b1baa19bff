import type { Command } from 'commander';
import { collectPages } from '../collectPages';
import { wantsJson, type CommandContext } from '../context';
import { UsageError } from '../errors';
import { formatJson, renderTable } from '../format';
import type { Page } from '../types';

/** A schedule as the REST API shows it (the CLI keeps its own copy of the shape; it may not import the core). */
interface ScheduleView {
  id: string;
  name: string;
  target: { eventId?: string; workflowId?: string };
  cron?: string;
  at?: string;
  rate?: string;
  timezone: string;
  enabled: boolean;
  catchUp: string;
  overlap: string;
  dst: string;
  nextFireAt?: string;
  nextFires?: { utc: string; local: string }[];
  lastFires?: { fireAt: string; status: string; jobId?: string; workflowRunId?: string; reason?: string }[];
}

interface CreateFlags {
  name: string;
  event?: string;
  workflow?: string;
  cron?: string;
  at?: string;
  rate?: string;
  timezone?: string;
  input?: string;
  catchUp?: string;
  overlap?: string;
  dst?: string;
  startAt?: string;
  endAt?: string;
  paused?: boolean;
}

const when = (s: ScheduleView) => (s.cron !== undefined ? `cron ${s.cron}` : s.at !== undefined ? `at ${s.at}` : `rate ${s.rate ?? ''}`);
const path = (id: string) => `/schedules/${encodeURIComponent(id)}`;
const targetOf = (s: ScheduleView) =>
  s.target.workflowId !== undefined ? `workflow ${s.target.workflowId}` : `event ${s.target.eventId ?? '-'}`;
const fireOf = (f: NonNullable<ScheduleView['lastFires']>[number]) =>
  f.workflowRunId ? `  workflow run ${f.workflowRunId}` : f.jobId ? `  job ${f.jobId}` : '';

/** The target from `--event` or `--workflow`: exactly one of them. */
const parseTarget = (f: CreateFlags): { eventId: string } | { workflowId: string } => {
  if ((f.event === undefined) === (f.workflow === undefined)) throw new UsageError('give exactly one of --event and --workflow');
  return f.event !== undefined ? { eventId: f.event } : { workflowId: f.workflow as string };
};

const parseInput = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError('--input is not valid JSON');
  }
};

const details = (s: ScheduleView): string =>
  [
    `${s.id}  ${s.name}  (${s.enabled ? 'enabled' : 'paused'})`,
    `  target    ${targetOf(s)}`,
    `  when      ${when(s)} in ${s.timezone}`,
    `  policies  catchUp ${s.catchUp}, overlap ${s.overlap}, dst ${s.dst}`,
    '  next fires',
    ...(s.nextFires?.length ? s.nextFires.map((f) => `    ${f.local}  (${f.utc})`) : ['    none']),
    '  last fires',
    ...(s.lastFires?.length
      ? s.lastFires.map((f) => `    ${f.fireAt}  ${f.status}${fireOf(f)}${f.reason ? `  ${f.reason}` : ''}`)
      : ['    none']),
  ].join('\n') + '\n';

/** Registers `cronium schedules create|list|show|pause|resume|delete` (REST API only). */
export const registerSchedulesCommands = (program: Command, ctx: CommandContext): void => {
  const { io } = ctx;
  const schedules = program.command('schedules').description('run events on a schedule: cron, at or rate, in any time zone');

  schedules
    .command('create')
    .description('create a schedule that runs an event or a workflow; prints its id')
    .requiredOption('--name <name>', 'schedule name')
    .option('--event <id>', 'the event it runs')
    .option('--workflow <id>', 'the workflow it runs (instead of --event)')
    .option('--cron <expr>', 'cron: "min hour dom month dow" or "cron(min hour dom month dow year)"')
    .option('--at <iso>', 'one run at an ISO time (without an offset: in --timezone)')
    .option('--rate <rate>', 'every "N minutes|hours|days"')
    .option('--timezone <zone>', 'IANA time zone', 'UTC')
    .option('--input <json>', "the jobs' input, as JSON")
    .option('--catch-up <policy>', 'none | latest | all')
    .option('--overlap <policy>', 'allow | skip | queue')
    .option('--dst <policy>', 'skip | shift')
    .option('--start-at <iso>', 'no fire before')
    .option('--end-at <iso>', 'no fire after')
    .option('--paused', 'create it disabled')
    .option('--json', 'print the schedule as JSON')
    .action(async (flags: CreateFlags, cmd: Command) => {
      const body = {
        name: flags.name,
        target: parseTarget(flags),
        cron: flags.cron,
        at: flags.at,
        rate: flags.rate,
        timezone: flags.timezone,
        input: flags.input === undefined ? undefined : parseInput(flags.input),
        catchUp: flags.catchUp,
        overlap: flags.overlap,
        dst: flags.dst,
        startAt: flags.startAt,
        endAt: flags.endAt,
        ...(flags.paused ? { enabled: false } : {}),
      };
      const s = await ctx.session(cmd).api.request<ScheduleView>('POST', '/schedules', body);
      if (wantsJson(cmd)) {
        io.stdout.write(formatJson(s));
        return;
      }
      io.stderr.write(`created schedule ${s.id} (${s.name}), next fire ${s.nextFireAt ?? 'none'}\n`);
      io.stdout.write(`${s.id}\n`);
    });

  schedules
    .command('list')
    .description('list schedules')
    .option('--all', 'follow the cursor through every page')
    .option('--json', 'print the schedules as JSON')
    .action(async (flags: { all?: boolean }, cmd: Command) => {
      const { api } = ctx.session(cmd);
      const { items, more } = await collectPages<ScheduleView>(
        (cursor) => api.request<Page<ScheduleView>>('GET', '/schedules', undefined, { cursor }),
        flags.all === true,
      );
      if (wantsJson(cmd)) {
        io.stdout.write(formatJson(items));
        return;
      }
      const rows = items.map((s) => [
        s.id,
        s.name,
        s.enabled ? 'enabled' : 'paused',
        targetOf(s),
        when(s),
        s.timezone,
        s.nextFireAt ?? '-',
      ]);
      io.stdout.write(
        items.length === 0 ? 'no schedules\n' : renderTable(['ID', 'NAME', 'STATE', 'TARGET', 'WHEN', 'ZONE', 'NEXT FIRE (UTC)'], rows),
      );
      if (more) io.stderr.write('more schedules exist: pass --all to list every page\n');
    });

  schedules
    .command('show')
    .description('show a schedule, its next 5 fires and its last fires')
    .argument('<id>', 'schedule id')
    .option('--json', 'print the schedule as JSON')
    .action(async (id: string, _flags: object, cmd: Command) => {
      const s = await ctx.session(cmd).api.request<ScheduleView>('GET', path(id));
      io.stdout.write(wantsJson(cmd) ? formatJson(s) : details(s));
    });

  for (const [name, enabled, verb] of [
    ['pause', false, 'paused'],
    ['resume', true, 'resumed'],
  ] as const) {
    schedules
      .command(name)
      .description(enabled ? 'enable a schedule (it plans its next fire from now)' : 'disable a schedule')
      .argument('<id>', 'schedule id')
      .option('--json', 'print the schedule as JSON')
      .action(async (id: string, _flags: object, cmd: Command) => {
        const s = await ctx.session(cmd).api.request<ScheduleView>('PATCH', path(id), { enabled });
        if (wantsJson(cmd)) io.stdout.write(formatJson(s));
        io.stderr.write(`${verb} schedule ${s.id}${s.nextFireAt ? `, next fire ${s.nextFireAt}` : ''}\n`);
      });
  }

  schedules
    .command('delete')
    .description('delete a schedule')
    .argument('<id>', 'schedule id')
    .action(async (id: string, _flags: object, cmd: Command) => {
      await ctx.session(cmd).api.request<void>('DELETE', path(id));
      io.stderr.write(`deleted schedule ${id}\n`);
    });
};
