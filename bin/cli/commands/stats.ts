import { InvalidArgumentError, type Command } from 'commander';
import { wantsJson, type CommandContext } from '../context';
import { formatDuration, formatJson, formatTimestamp, renderTable } from '../format';

/** The figures of one set of jobs as `GET /stats` shows them (the CLI keeps its own copy of the shape). */
interface StatsSummary {
  jobs: number;
  byStatus: Record<'completed' | 'failed' | 'timeout' | 'cancelled', number>;
  byErrorCode: Record<string, number>;
  successRate: number | null;
  durationMs: { count: number; p50: number | null; p95: number | null; p99: number | null };
  queueWaitMs: { count: number; p50: number | null; p95: number | null };
}

interface StatsReport {
  from: string;
  to: string;
  total: StatsSummary;
  byRuntime: Record<string, StatsSummary>;
  byEvent: (StatsSummary & { eventId: string; eventName?: string })[];
  percentileRelativeError: number;
}

/** `2026-01-31T09:00:00Z` as given, or `12h` / `7d` back from now. */
export const sinceOrAgo =
  (now: () => number) =>
  (value: string): string => {
    const ago = /^(\d+)([hd])$/.exec(value);
    if (ago) return new Date(now() - Number(ago[1]) * (ago[2] === 'h' ? 3_600_000 : 86_400_000)).toISOString();
    if (Number.isNaN(Date.parse(value)))
      throw new InvalidArgumentError('expected an ISO time (2026-01-31T09:00:00Z) or a span back from now (12h, 7d)');
    return value;
  };

const ms = (v: number | null) => (v === null ? '-' : formatDuration(v));
const rate = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

const row = (name: string, s: StatsSummary): string[] => [
  name,
  String(s.jobs),
  String(s.byStatus.completed),
  String(s.byStatus.failed),
  String(s.byStatus.timeout),
  String(s.byStatus.cancelled),
  rate(s.successRate),
  ms(s.durationMs.p50),
  ms(s.durationMs.p95),
  ms(s.durationMs.p99),
  ms(s.queueWaitMs.p50),
  ms(s.queueWaitMs.p95),
];

const HEADER = ['', 'JOBS', 'COMPLETED', 'FAILED', 'TIMEOUT', 'CANCELLED', 'SUCCESS', 'P50', 'P95', 'P99', 'WAIT P50', 'WAIT P95'];

/** The report as a table: overall, each runtime, each event; error codes below. */
export const statsTable = (r: StatsReport): string => {
  const rows = [
    row('all', r.total),
    ...Object.entries(r.byRuntime).map(([runtime, s]) => row(`runtime ${runtime}`, s)),
    ...r.byEvent.map((e) => row(`event ${e.eventName ?? e.eventId}`, e)),
  ];
  const errors = Object.entries(r.total.byErrorCode)
    .sort(([, a], [, b]) => b - a)
    .map(([code, n]) => `${code} ${n}`);
  return [
    `jobs that ended from ${formatTimestamp(r.from)} to ${formatTimestamp(r.to)}`,
    renderTable(HEADER, rows).trimEnd(),
    `errors: ${errors.length > 0 ? errors.join(', ') : 'none'}`,
    `durations are run times, waits from submission to first start; percentiles within ${(r.percentileRelativeError * 100).toFixed(1)}%`,
    '',
  ].join('\n');
};

/** Registers `cronium stats`. */
export const registerStatsCommand = (program: Command, ctx: CommandContext, now: () => number = Date.now): void => {
  program
    .command('stats')
    .description('job statistics of your tenant: counts by status and error, success rate, duration and wait percentiles')
    .option('--since <time>', 'from this ISO time, or a span back from now (12h, 7d); default 24h', sinceOrAgo(now))
    .option('--until <time>', 'up to this ISO time (default now)', sinceOrAgo(now))
    .option('--event <id>', 'only runs of this event')
    .option('--json', 'print the report as JSON')
    .action(async (flags: { since?: string; until?: string; event?: string }, cmd: Command) => {
      const report = await ctx
        .session(cmd)
        .api.request<StatsReport>('GET', '/stats', undefined, { since: flags.since, until: flags.until, eventId: flags.event });
      ctx.io.stdout.write(wantsJson(cmd) ? formatJson(report) : statsTable(report));
    });
};
