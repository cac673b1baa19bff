import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { followToEnd } from '../followToEnd';
import { buildJobSpec, type SpecFlags } from '../jobSpec';
import { addSpecOptions } from '../specOptions';

interface RunFlags extends SpecFlags {
  follow: boolean;
}

/**
 * Registers `cronium run FILE`: submits a script, streams its output and
 * exits with the job's exit code.
 */
export const registerRunCommand = (program: Command, ctx: CommandContext): void => {
  addSpecOptions(
    program
      .command('run')
      .description("run a script file in a fresh container, stream its output and exit with the job's exit code")
      .argument('<file>', 'script to run: .sh (bash), .py (python), .js/.mjs/.cjs (node)'),
  )
    .option('--no-follow', 'print the job id on stdout and return without waiting')
    .action(async (file: string, flags: RunFlags, cmd: Command) => {
      // The file and runtime are checked before the API key, so a typo fails fast and offline.
      const spec = await buildJobSpec(file, flags, ctx.io.cwd);
      const session = ctx.session(cmd);
      const job = await session.api.submitJob(spec);
      if (!flags.follow) {
        ctx.io.stdout.write(`${job.id}\n`);
        return;
      }
      ctx.io.stderr.write(`job ${job.id} ${job.status}\n`);
      ctx.setExitCode(await followToEnd(ctx, session, job.id, { owned: true }));
    });
};
