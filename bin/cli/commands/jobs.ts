import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { collectPages } from '../collectPages';
import { wantsJson, type CommandContext } from '../context';
import { drainLogs } from '../drainLogs';
import { downloadLog, DownloadFormats, type DownloadFormat } from '../downloadLog';
import { formatJson } from '../format';
import { followToEnd } from '../followToEnd';
import { jobDetails, jobsTable } from '../jobViews';
import { createLineSequencer } from '../lineSequencer';
import { writeLogLine } from '../logOutput';
import { nonNegativeInteger, positiveInteger } from '../optionParsers';
import { JobStatuses, type Job } from '../types';

interface ListFlags {
  status?: string;
  event?: string;
  limit?: number;
  all?: boolean;
}

/** Registers `cronium jobs list|show|logs|cancel`. */
export const registerJobsCommands = (program: Command, ctx: CommandContext): void => {
  const { io } = ctx;
  const jobs = program.command('jobs').description('list and inspect jobs');

  jobs
    .command('list')
    .description('list jobs, newest first')
    .addOption(new Option('--status <status>', 'only jobs in this status').choices(JobStatuses))
    .option('--event <id>', 'only runs of this event')
    .option('--limit <n>', 'jobs per page', positiveInteger)
    .option('--all', 'follow the cursor through every page')
    .option('--json', 'print the jobs as JSON')
    .action(async (flags: ListFlags, cmd: Command) => {
      const { api } = ctx.session(cmd);
      const { items, more } = await collectPages<Job>(
        (cursor) => api.listJobs({ status: flags.status, eventId: flags.event, limit: flags.limit, cursor }),
        flags.all === true,
      );
      if (wantsJson(cmd)) {
        io.stdout.write(formatJson(items));
        return;
      }
      io.stdout.write(items.length === 0 ? 'no jobs\n' : jobsTable(items));
      if (more) io.stderr.write('more jobs exist: pass --all to list every page\n');
    });

  jobs
    .command('show')
    .description("show a job's status, exit code, timing and limits")
    .argument('<id>', 'job id')
    .option('--json', 'print the job as JSON')
    .action(async (id: string, _flags: object, cmd: Command) => {
      const job = await ctx.session(cmd).api.getJob(id);
      io.stdout.write(wantsJson(cmd) ? formatJson(job) : jobDetails(job));
    });

  jobs
    .command('logs')
    .description("print a job's log; stdout lines go to stdout, the rest to stderr")
    .argument('<id>', 'job id')
    .option('-f, --follow', 'keep streaming until the job ends')
    .option('--after <seq>', 'only lines after this sequence number', nonNegativeInteger, 0)
    .option('--download <file>', 'save the whole stored log to a file (attempts and servers marked)')
    .addOption(new Option('--format <format>', 'file format of --download').choices(DownloadFormats).default('text'))
    .action(async (id: string, flags: { follow?: boolean; after: number; download?: string; format: DownloadFormat }, cmd: Command) => {
      const session = ctx.session(cmd);
      if (flags.download !== undefined) {
        const file = resolve(io.cwd, flags.download);
        const { bytes } = await downloadLog(session.api, id, file, flags.format);
        io.stderr.write(`saved ${bytes} bytes of job ${id}'s log to ${file}\n`);
        return;
      }
      if (flags.follow) {
        ctx.setExitCode(await followToEnd(ctx, session, id, { afterSeq: flags.after, owned: false }));
        return;
      }
      const seq = createLineSequencer(flags.after, (line) => writeLogLine(io, line));
      await drainLogs(session.api, id, seq);
    });

  jobs
    .command('cancel')
    .description('cancel a queued or running job')
    .argument('<id>', 'job id')
    .option('--json', 'print the job as JSON')
    .action(async (id: string, _flags: object, cmd: Command) => {
      const job = await ctx.session(cmd).api.cancelJob(id);
      if (wantsJson(cmd)) io.stdout.write(formatJson(job));
      else io.stderr.write(`job ${job.id} cancel requested (status ${job.status})\n`);
    });
};
