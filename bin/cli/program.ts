import { Command } from 'commander';
import { registerEventsCommands } from './commands/events';
import { registerJobsCommands } from './commands/jobs';
import { registerRunCommand } from './commands/run';
import { registerSchedulesCommands } from './commands/schedules';
import { registerStatsCommand } from './commands/stats';
import { registerStartCommand } from './commands/start';
import { registerWorkflowsCommands } from './commands/workflows';
import type { CommandContext } from './context';

const environmentHelp = `
Configuration (first found wins):
  control plane URL  --url, CRONIUM_URL, <data dir>/endpoint, http://127.0.0.1:8080
  API key            --api-key, CRONIUM_API_KEY, <data dir>/admin-key
  data directory     --data-dir, CRONIUM_DATA_DIR, ./.cronium
`;

/**
 * Builds the `cronium` command tree around a context. It never exits the
 * process: commander errors are thrown (`exitOverride`) for `main` to map.
 *
 * @example
 * await buildProgram(ctx).parseAsync(['jobs', 'list'], { from: 'user' });
 */
export const buildProgram = (ctx: CommandContext): Command => {
  const program = new Command('cronium')
    .description('Run Bash, Python and Node.js scripts in hardened containers and follow their logs live.')
    .option('--url <url>', 'control plane base URL')
    .option('--api-key <key>', 'API key')
    .option('--data-dir <dir>', 'data directory of the local control plane')
    .option('--json', 'machine-readable output where a command supports it')
    .addHelpText('after', environmentHelp)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    });
  // Subcommands inherit exitOverride and the output streams only if created after they are set.
  registerStartCommand(program, ctx);
  registerRunCommand(program, ctx);
  registerJobsCommands(program, ctx);
  registerEventsCommands(program, ctx);
  registerSchedulesCommands(program, ctx);
  registerWorkflowsCommands(program, ctx);
  registerStatsCommand(program, ctx);
  return program;
};
