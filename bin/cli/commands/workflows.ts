import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { collectPages } from '../collectPages';
import { wantsJson, type CommandContext } from '../context';
import { FileReadError, UsageError } from '../errors';
import { formatJson, renderTable } from '../format';
import type { Page } from '../types';
import { followWorkflowRun, type RunView } from './workflowFollow';

/** A workflow as the REST API shows it (the CLI keeps its own copy of the shape; it may not import the core). */
interface WorkflowView {
  id: string;
  name: string;
  nodes: { id: string; eventId: string }[];
  edges: { from: string; to: string; when: string }[];
  createdAt: string;
}

const path = (id: string) => encodeURIComponent(id);

const parseJson = (flag: string, text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`${flag} is not valid JSON`);
  }
};

/** The run and each step, one line each. */
export const runDetails = (r: RunView): string =>
  [
    `${r.id}  ${r.workflowName}  ${r.status}${r.reason ? `: ${r.reason}` : ''}  (attempt ${r.attempt})`,
    ...r.steps.map(
      (s) =>
        `  ${s.nodeId.padEnd(16)} ${s.status.padEnd(10)}${s.jobId ? ` job ${s.jobId}` : ''}${s.jobStatus && s.status === 'running' ? ` (${s.jobStatus})` : ''}${
          s.output !== undefined ? `  output ${JSON.stringify(s.output)}` : ''
        }${s.skipReason ? `  ${s.skipReason}` : ''}${s.error ? `  ${s.error.message}` : ''}`,
    ),
  ].join('\n') + '\n';

/** Registers `cronium workflows create FILE|list|show|run|runs|show-run|cancel|retry` (REST API only). */
export const registerWorkflowsCommands = (program: Command, ctx: CommandContext): void => {
  const { io } = ctx;
  const workflows = program.command('workflows').description('run events as a DAG: edges on success, failure, always or condition');

  const print = (cmd: Command, value: unknown, human: () => string) => io.stdout.write(wantsJson(cmd) ? formatJson(value) : human());

  workflows
    .command('create')
    .description('create a workflow from a JSON file {name, nodes, edges}; prints its id')
    .argument('<file>', 'the workflow as JSON')
    .option('--json', 'print the workflow as JSON')
    .action(async (file: string, _flags: unknown, cmd: Command) => {
      let text: string;
      try {
        text = await readFile(resolve(io.cwd, file), 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new FileReadError(file, code === 'ENOENT' ? 'no such file' : String(code ?? err), { cause: err });
      }
      const w = await ctx.session(cmd).api.request<WorkflowView>('POST', '/workflows', parseJson(file, text));
      if (!wantsJson(cmd)) io.stderr.write(`created workflow ${w.id} (${w.name}), ${w.nodes.length} steps\n`);
      print(cmd, w, () => `${w.id}\n`);
    });

  workflows
    .command('list')
    .description('list workflows')
    .option('--all', 'follow the cursor through every page')
    .option('--json', 'print the workflows as JSON')
    .action(async (flags: { all?: boolean }, cmd: Command) => {
      const { api } = ctx.session(cmd);
      const { items, more } = await collectPages<WorkflowView>(
        (cursor) => api.request<Page<WorkflowView>>('GET', '/workflows', undefined, { cursor }),
        flags.all === true,
      );
      print(cmd, items, () =>
        renderTable(
          ['ID', 'NAME', 'STEPS', 'CREATED'],
          items.map((w) => [w.id, w.name, String(w.nodes.length), w.createdAt]),
        ),
      );
      if (more && !wantsJson(cmd)) io.stderr.write('more workflows: use --all\n');
    });

  workflows
    .command('show')
    .description("show a workflow's steps and edges")
    .argument('<id>', 'workflow id')
    .option('--json', 'print the workflow as JSON')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const w = await ctx.session(cmd).api.request<WorkflowView>('GET', `/workflows/${path(id)}`);
      print(
        cmd,
        w,
        () =>
          [
            `${w.id}  ${w.name}`,
            ...w.nodes.map((n) => `  step ${n.id}  event ${n.eventId}`),
            ...w.edges.map((e) => `  ${e.from} -> ${e.to}  on ${e.when}`),
          ].join('\n') + '\n',
      );
    });

  workflows
    .command('run')
    .description('start a run; prints its id, or with --follow shows each step and its lines until the run ends')
    .argument('<id>', 'workflow id')
    .option('--input <json>', "the run's input, as JSON")
    .option('-f, --follow', 'follow the run; exit 1 unless it completed')
    .option('--json', 'print the run as JSON')
    .action(async (id: string, flags: { input?: string; follow?: boolean }, cmd: Command) => {
      const session = ctx.session(cmd);
      const body = flags.input === undefined ? {} : { input: parseJson('--input', flags.input) };
      const run = await session.api.request<RunView>('POST', `/workflows/${path(id)}/runs`, body);
      if (!flags.follow) {
        print(cmd, run, () => `${run.id}\n`);
        return;
      }
      io.stderr.write(`started workflow run ${run.id}\n`);
      ctx.setExitCode(await followWorkflowRun(ctx, session, run.id));
    });

  workflows
    .command('runs')
    .description("list a workflow's runs, newest first")
    .argument('<id>', 'workflow id')
    .option('--all', 'follow the cursor through every page')
    .option('--json', 'print the runs as JSON')
    .action(async (id: string, flags: { all?: boolean }, cmd: Command) => {
      const { api } = ctx.session(cmd);
      const { items } = await collectPages<RunView>(
        (cursor) => api.request<Page<RunView>>('GET', `/workflows/${path(id)}/runs`, undefined, { cursor }),
        flags.all === true,
      );
      print(cmd, items, () =>
        renderTable(
          ['RUN', 'STATUS', 'ATTEMPT', 'CREATED', 'REASON'],
          items.map((r) => [r.id, r.status, String(r.attempt), r.createdAt, r.reason ?? '']),
        ),
      );
    });

  workflows
    .command('show-run')
    .description("show a run: every step's status, job, output and why a step was skipped")
    .argument('<runId>', 'workflow run id')
    .option('-f, --follow', 'follow the run until it ends; exit 1 unless it completed')
    .option('--json', 'print the run as JSON')
    .action(async (runId: string, flags: { follow?: boolean }, cmd: Command) => {
      const session = ctx.session(cmd);
      if (flags.follow) {
        ctx.setExitCode(await followWorkflowRun(ctx, session, runId));
        return;
      }
      const run = await session.api.request<RunView>('GET', `/workflow-runs/${path(runId)}`);
      print(cmd, run, () => runDetails(run));
    });

  for (const [name, description] of [
    ['cancel', 'cancel a run: its running steps are cancelled and no more start'],
    ['retry', 'run a failed or cancelled run again from its failed steps, keeping completed ones'],
  ] as const) {
    workflows
      .command(name)
      .description(description)
      .argument('<runId>', 'workflow run id')
      .option('--json', 'print the run as JSON')
      .action(async (runId: string, _flags: unknown, cmd: Command) => {
        const run = await ctx.session(cmd).api.request<RunView>('POST', `/workflow-runs/${path(runId)}/${name}`, {});
        print(cmd, run, () => runDetails(run));
      });
  }
};
