import type { ScriptRuntime } from '../../core';
import { WorkspaceLayout } from '../../core';
import { InvalidExecutionError } from './errors';

/** Quotes a string for a POSIX shell: `'…'`, with each `'` written as `'\''`. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A command line run through `/bin/sh` whatever the user's login shell is. */
export const posixCommand = (script: string): string => `/bin/sh -c ${shellQuote(script)}`;

/** Names a POSIX shell can export. */
export const EnvNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Exit status of the wrapper when the interpreter is missing (it then also writes `launch_error`). */
export const LaunchFailedExit = 199;

/** The executor's own files, under `<ws>/.cronium/` (0700), out of the script's way. */
export const ControlFiles = {
  dir: '.cronium',
  env: '.cronium/env',
  run: '.cronium/run.sh',
  supervisor: '.cronium/sup.sh',
  pid: '.cronium/pid',
  /** The interpreter's exit status, written by run.sh. */
  status: '.cronium/status',
  launchError: '.cronium/launch_error',
  /** Written by the supervisor when its control channel closed before the job ended. */
  orphaned: '.cronium/orphaned',
} as const;

/** The interpreter of each runtime: the command looked up on the server's PATH, and its flags. */
export const Interpreters = {
  bash: { command: 'bash', args: [] },
  python: { command: 'python3', args: ['-u'] },
  node: { command: 'node', args: [] },
} as const satisfies Record<ScriptRuntime, { command: string; args: readonly string[] }>;

/** Directories every workspace has, made by the same command that makes the workspace. */
export const WorkspaceDirs = ['in', WorkspaceLayout.outDir, 'lib', 'lib/python', 'node_modules', 'node_modules/cronium', ControlFiles.dir];

/**
 * The command that makes a private workspace: `mktemp -d` (0700, a fresh name: nothing can be
 * there before) with its fixed subdirectories; prints the workspace's absolute path.
 */
export const makeWorkspaceCommand = (): string =>
  posixCommand(
    [
      'umask 077',
      'd=$(mktemp -d "${TMPDIR:-/tmp}/cronium.XXXXXXXXXX") || exit 1',
      `cd "$d" && mkdir ${WorkspaceDirs.map(shellQuote).join(' ')} || { rm -rf "$d"; exit 1; }`,
      'printf "%s\\n" "$d"',
    ].join('\n'),
  );

/**
 * The command that removes a workspace: makes everything writable again (in/ is read-only)
 * and removes it. It kills nothing: the job's processes are the supervisor's to end (a kill by
 * a recorded pid could hit a recycled one).
 */
export const removeWorkspaceCommand = (ws: string): string => {
  const q = shellQuote(ws);
  return posixCommand(`chmod -R u+rwX ${q} 2>/dev/null; rm -rf ${q}; test ! -e ${q}`);
};

/**
 * The env file (sourced by run.sh, uploaded 0600): `export NAME='value'` lines, the job's
 * variables first and the executor's after them, so the executor's win.
 * @throws InvalidExecutionError for a name a shell cannot export or a value holding NUL.
 */
export const buildEnvFile = (env: Record<string, string>, own: Record<string, string>): string => {
  const lines: string[] = [];
  for (const [name, value] of [...Object.entries(env), ...Object.entries(own)]) {
    if (!EnvNamePattern.test(name)) {
      throw new InvalidExecutionError(`env.${name}`, 'names must be letters, digits and _ and not start with a digit');
    }
    if (typeof value !== 'string' || value.includes('\0')) {
      throw new InvalidExecutionError(`env.${name}`, 'values must be strings without NUL');
    }
    lines.push(`export ${name}=${shellQuote(value)}`);
  }
  return `${lines.join('\n')}\n`;
};

/**
 * run.sh: the job, started by the supervisor with `setsid` so it leads its own session and
 * process group. Sources the env file, checks the interpreter exists, enters the workspace and
 * runs the interpreter on the script. When the interpreter ends (by itself, or after TERM,
 * which run.sh only notes), run.sh records its status and KILLs its own group: whatever the
 * job left running dies with it, as in a container whose main process ended. Killing its own
 * group while it still lives is what makes this safe: a group id cannot be reused while its
 * leader exists, whereas a kill sent after the fact could hit a recycled pid.
 */
export const buildRunScript = (ws: string, runtime: ScriptRuntime): string => {
  const { command, args } = Interpreters[runtime];
  const script = `${ws}/${WorkspaceLayout.scriptFile[runtime]}`;
  return [
    '# Cronium job wrapper (see sup.sh).',
    // The job's stderr moves to fd 5: this shell's own messages ("Terminated" when the
    // interpreter dies of a signal) are not the job's output.
    'exec 5>&2 2>/dev/null',
    `. ${shellQuote(`${ws}/${ControlFiles.env}`)}`,
    `if ! command -v ${command} >/dev/null 2>&1; then`,
    `  printf '%s\\n' ${command} > ${shellQuote(`${ws}/${ControlFiles.launchError}`)}`,
    `  exit ${LaunchFailedExit}`,
    'fi',
    `cd ${shellQuote(ws)} || exit ${LaunchFailedExit}`,
    // Caught (not ignored), so the interpreter still gets the default action after exec.
    'trap : TERM',
    // In a subshell: dash applies a command's redirections in its own process while it waits,
    // so `cmd 2>&5` would send its "Terminated" report to the job's stderr after all.
    `(exec ${[command, ...args].join(' ')} ${shellQuote(script)} 2>&5 5>&-)`,
    `printf '%s\\n' "$?" > ${shellQuote(`${ws}/${ControlFiles.status}`)}`,
    'kill -KILL 0',
    '',
  ].join('\n');
};

/**
 * sup.sh: what the exec channel runs. It starts run.sh in a new session (its own process
 * group; pgid written to `.cronium/pid`) and takes orders on stdin: `TERM` or `KILL` signal
 * the whole group. It exits with the interpreter's status (from `.cronium/status`, or the
 * signal status of run.sh when a KILL order ended it).
 *
 * End of input without an exit means the control plane is gone (connection lost, or it gave
 * up on the channel): the group gets TERM, then KILL after the grace, and the supervisor
 * removes the workspace itself, so nothing is left even if the control plane cannot reconnect.
 */
export const buildSupervisor = (ws: string, graceSeconds: number): string => {
  const dir = `${ws}/${ControlFiles.dir}`;
  const orphaned = shellQuote(`${dir}/orphaned`);
  const status = shellQuote(`${dir}/status`);
  return [
    '# Cronium supervisor: orders on stdin (TERM, KILL); end of input stops the job.',
    // The channel's stdin becomes fd 3 (orders), its stdout and stderr fds 4 and 5 (the job's
    // alone): the shell's own messages ("Terminated") must neither reach the job's log nor
    // kill the supervisor with SIGPIPE once the connection is gone.
    'exec 3<&0 4>&1 5>&2 </dev/null >/dev/null 2>&1',
    `setsid /bin/sh ${shellQuote(`${dir}/run.sh`)} >&4 2>&5 3<&- 4>&- 5>&- &`,
    'pg=$!',
    'exec 4>&- 5>&-',
    `echo "$pg" > ${shellQuote(`${dir}/pid`)}`,
    '(',
    '  while IFS= read -r order <&3; do',
    '    case $order in TERM|KILL) kill -"$order" -"$pg" ;; esac',
    '  done',
    `  : > ${orphaned}`,
    '  kill -TERM -"$pg"',
    `  sleep ${Math.max(1, Math.ceil(graceSeconds))}`,
    '  kill -KILL -"$pg"',
    ') &',
    'wd=$!',
    'wait "$pg"',
    'code=$?',
    // Not yet reaped, the watchdog keeps its pid: this kill cannot hit another process.
    'kill "$wd"',
    `if [ -r ${status} ]; then code=$(cat ${status}); fi`,
    `if [ -e ${orphaned} ]; then chmod -R u+rwX ${shellQuote(ws)}; rm -rf ${shellQuote(ws)}; fi`,
    'exit "$code"',
    '',
  ].join('\n');
};

/** The exec command that starts a prepared workspace's supervisor (no secrets: just the path). */
export const startCommand = (ws: string): string => `exec /bin/sh ${shellQuote(`${ws}/${ControlFiles.supervisor}`)}`;
