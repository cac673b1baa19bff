import type { Command } from 'commander';
import { collectPages } from '../collectPages';
import { wantsJson, type CommandContext } from '../context';
import { eventDetails, eventsTable } from '../eventViews';
import { formatJson } from '../format';
import { followToEnd } from '../followToEnd';
import { buildJobSpec, type SpecFlags } from '../jobSpec';
import { addSpecOptions } from '../specOptions';
import type { EventDef, EventInput } from '../types';

interface DefineFlags extends SpecFlags {
  name: string;
}

/** Registers `cronium events list|show|create|update|delete|run`. */
export const registerEventsCommands = (program: Command, ctx: CommandContext): void => {
  const { io } = ctx;
  const events = program.command('events').description('manage events (saved job definitions) and run them');

  const defineEvent = async (file: string, flags: DefineFlags): Promise<EventInput> => ({
    name: flags.name,
    ...(await buildJobSpec(file, flags, io.cwd)),
  });

  events
    .command('list')
    .description('list events')
    .option('--all', 'follow the cursor through every page')
    .option('--json', 'print the events as JSON')
    .action(async (flags: { all?: boolean }, cmd: Command) => {
      const { api } = ctx.session(cmd);
      const { items, more } = await collectPages<EventDef>((cursor) => api.listEvents(cursor), flags.all === true);
      if (wantsJson(cmd)) {
        io.stdout.write(formatJson(items));
        return;
      }
      io.stdout.write(items.length === 0 ? 'no events\n' : eventsTable(items));
      if (more) io.stderr.write('more events exist: pass --all to list every page\n');
    });

  events
    .command('show')
    .description('show an event and its script')
    .argument('<id>', 'event id')
    .option('--json', 'print the event as JSON')
    .action(async (id: string, _flags: object, cmd: Command) => {
      const event = await ctx.session(cmd).api.getEvent(id);
      io.stdout.write(wantsJson(cmd) ? formatJson(event) : eventDetails(event));
    });

  addSpecOptions(
    events
      .command('create')
      .description('save a script file as an event; prints the new event id')
      .argument('<file>', 'script: .sh (bash), .py (python), .js/.mjs/.cjs (node)')
      .requiredOption('--name <name>', 'event name'),
  )
    .option('--json', 'print the event as JSON')
    .action(async (file: string, flags: DefineFlags, cmd: Command) => {
      const input = await defineEvent(file, flags);
      const event = await ctx.session(cmd).api.createEvent(input);
      if (wantsJson(cmd)) {
        io.stdout.write(formatJson(event));
        return;
      }
      io.stderr.write(`created event ${event.id} (${event.name})\n`);
      io.stdout.write(`${event.id}\n`);
    });

  addSpecOptions(
    events
      .command('update')
      .description("replace an event's definition with a script file")
      .argument('<id>', 'event id')
      .argument('<file>', 'script: .sh (bash), .py (python), .js/.mjs/.cjs (node)')
      .requiredOption('--name <name>', 'event name'),
  )
    .option('--json', 'print the event as JSON')
    .action(async (id: string, file: string, flags: DefineFlags, cmd: Command) => {
      const input = await defineEvent(file, flags);
      const event = await ctx.session(cmd).api.updateEvent(id, input);
      if (wantsJson(cmd)) io.stdout.write(formatJson(event));
      else io.stderr.write(`updated event ${event.id} (${event.name})\n`);
    });

  events
    .command('delete')
    .description('delete an event')
    .argument('<id>', 'event id')
    .action(async (id: string, _flags: object, cmd: Command) => {
      await ctx.session(cmd).api.deleteEvent(id);
      io.stderr.write(`deleted event ${id}\n`);
    });

  events
    .command('run')
    .description('start a run of an event; prints the job id, or with --follow streams it like `cronium run`')
    .argument('<id>', 'event id')
    .option('-f, --follow', "stream the job's output and exit with its exit code")
    .action(async (id: string, flags: { follow?: boolean }, cmd: Command) => {
      const session = ctx.session(cmd);
      const job = await session.api.runEvent(id);
      if (!flags.follow) {
        io.stdout.write(`${job.id}\n`);
        return;
      }
      io.stderr.write(`job ${job.id} ${job.status}\n`);
      ctx.setExitCode(await followToEnd(ctx, session, job.id, { owned: true }));
    });
};
