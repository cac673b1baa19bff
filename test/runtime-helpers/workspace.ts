/**
 * A job workspace laid out as the runner lays it out, for running the real interpreters with
 * the runtime helpers of `runtime-images/helpers/` wired as at run time:
 *
 *   <root>/in/{script file, input.json, context.json, variables.json}   read only
 *   <root>/out/                                                           empty, writable
 *   <root>/lib/cronium.sh           BASH_ENV
 *   <root>/lib/python/cronium.py    on PYTHONPATH
 *   <root>/node_modules/cronium/    found from in/ by require and import
 *
 * (the SSH runner's layout; the images hold the same files under /opt/cronium and
 * /node_modules). As root, the scripts run as uid/gid 1000 (through setpriv) with in/ owned by
 * root and read only, out/ owned by 1000 (as in the Docker launcher), so a write into in/ would
 * fail for real; otherwise in/ is chmod'ed read only. Either way `assertInUntouched()` compares
 * in/ with what was written.
 */
import { afterEach } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HelpersDir = fileURLToPath(new URL('../../runtime-images/helpers', import.meta.url));

const JobUid = 1000;
const isRoot = process.getuid?.() === 0;

const findSetpriv = (): string | undefined => ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
const setpriv = isRoot ? findSetpriv() : undefined;
/** The prefix that runs a command as the job user, when this process may switch to it. */
const asJob = setpriv ? [setpriv, `--reuid=${JobUid}`, `--regid=${JobUid}`, '--clear-groups'] : [];

const runsAsJob = (exe: string, args: string[]): boolean => {
  const [cmd, ...rest] = [...asJob, exe, ...args];
  const r = spawnSync(cmd!, rest, { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
};

const resolvePython = (): string => {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim());
  } catch {
    // no python3 on PATH: try the system one below
  }
  candidates.push('/usr/bin/python3');
  const found = candidates.find((p) => p && existsSync(p) && runsAsJob(p, ['-c', 'pass']));
  if (!found) throw new Error(`no python3 runs as the job user here (tried ${candidates.join(', ')})`);
  return found;
};

let python: string | undefined;

/** The interpreters, as the job user can run them (looked up when first used). */
export const Interpreters = {
  get bash(): string {
    const p = ['/bin/bash', '/usr/bin/bash'].find((b) => existsSync(b));
    if (!p) throw new Error('bash not found');
    return p;
  },
  get python(): string {
    python ??= resolvePython();
    return python;
  },
  get node(): string {
    return process.execPath;
  },
};

export type Runtime = keyof typeof Interpreters;

const ScriptFile: Record<Runtime, string> = { bash: 'in/script.sh', python: 'in/script.py', node: 'in/script.js' };

export interface WorkspaceSeed {
  input?: unknown;
  /** Raw text for in/input.json instead of the JSON of `input`. */
  inputText?: string;
  context?: Record<string, unknown>;
  variables?: Record<string, unknown>;
  /** Raw text for in/variables.json instead of the JSON of `variables`. */
  variablesText?: string;
  /** More files under in/ (relative to in/), e.g. an ESM script. */
  extraIn?: Record<string, string>;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Unset CRONIUM_WORKSPACE. */
  noWorkspaceEnv?: boolean;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Run this file (relative to the workspace root) instead of the runtime's script file. */
  file?: string;
  /** Extra interpreter arguments before the file (e.g. `-c` for bash is not a file). */
  argv?: string[];
  stdin?: string;
}

export const DefaultContext = {
  jobId: 'job-123',
  tenant: 't1',
  eventId: 'ev-1',
  eventName: 'nightly report',
  attempt: 1,
  workflowRunId: null,
  workflowStep: null,
  scheduledAt: null,
};

const json = (v: unknown) => `${JSON.stringify(v ?? null)}\n`;

export class Workspace {
  readonly root: string;
  private readonly inSnapshot: Map<string, string>;

  private constructor(root: string, snapshot: Map<string, string>) {
    this.root = root;
    this.inSnapshot = snapshot;
  }

  /** Lays out a workspace with `script` as the runtime's script file. */
  static create(runtime: Runtime, script: string, seed: WorkspaceSeed = {}): Workspace {
    const root = mkdtempSync(join(tmpdir(), 'cronium-helpers-'));
    chmodSync(root, 0o755);
    const files: Record<string, string> = {
      [ScriptFile[runtime]]: script,
      'in/input.json': seed.inputText ?? json(seed.input),
      'in/context.json': json(seed.context ?? DefaultContext),
      'in/variables.json': seed.variablesText ?? json(seed.variables ?? {}),
    };
    for (const [name, text] of Object.entries(seed.extraIn ?? {})) files[`in/${name}`] = text;
    mkdirSync(join(root, 'in'));
    mkdirSync(join(root, 'out'));
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    Workspace.installHelpers(root);
    // in/ read only; out/ the job's own.
    for (const rel of Object.keys(files)) chmodSync(join(root, rel), 0o444);
    chmodSync(join(root, 'in'), 0o555);
    if (setpriv) {
      chownSync(join(root, 'out'), JobUid, JobUid);
      chmodSync(join(root, 'out'), 0o700);
    }
    const snapshot = new Map<string, string>();
    for (const [rel, text] of Object.entries(files)) snapshot.set(rel, text);
    return new Workspace(root, snapshot);
  }

  /** Copies the helpers where the SSH runner uploads them (see lambdas/adapters/ssh/helperFiles.ts). */
  private static installHelpers(root: string): void {
    mkdirSync(join(root, 'lib', 'python'), { recursive: true });
    cpSync(join(HelpersDir, 'cronium.sh'), join(root, 'lib', 'cronium.sh'));
    cpSync(join(HelpersDir, 'cronium.py'), join(root, 'lib', 'python', 'cronium.py'));
    cpSync(join(HelpersDir, 'node'), join(root, 'node_modules', 'cronium'), { recursive: true });
  }

  get bashEnv(): string {
    return join(this.root, 'lib', 'cronium.sh');
  }

  /** The environment the runner gives the script. */
  env(options: RunOptions = {}): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'C.UTF-8',
      HOME: '/tmp',
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONPATH: join(this.root, 'lib', 'python'),
      BASH_ENV: this.bashEnv,
      ...(options.noWorkspaceEnv ? {} : { CRONIUM_WORKSPACE: this.root }),
      ...options.env,
    };
  }

  /** Runs the runtime's script file (or `options.file`) with its interpreter, as the runner does. */
  run(runtime: Runtime, options: RunOptions = {}): RunResult {
    const file = join(this.root, options.file ?? ScriptFile[runtime]);
    const args = runtime === 'python' ? ['-u', ...(options.argv ?? []), file] : [...(options.argv ?? []), file];
    return this.exec(Interpreters[runtime], args, options);
  }

  /** Runs any command in the workspace with the script's environment and identity. */
  exec(command: string, args: string[], options: RunOptions = {}): RunResult {
    const [cmd, ...rest] = [...asJob, command, ...args];
    const r = spawnSync(cmd!, rest, {
      cwd: this.root,
      env: this.env(options),
      encoding: 'utf8',
      input: options.stdin ?? '',
      timeout: 60_000,
    });
    if (r.error) throw r.error;
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** The text of `out/<name>`, or undefined. */
  outText(name: string): string | undefined {
    const p = join(this.root, 'out', name);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  }

  /** The parsed JSON of `out/<name>` (JSON.parse, as the control plane reads it), or undefined. */
  outJson(name: string): unknown {
    const text = this.outText(name);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  }

  /** Names in out/, temporary files included. */
  outFiles(): string[] {
    return readdirSync(join(this.root, 'out')).sort();
  }

  /** Writes a file into out/ as the script could have (owned by the job user). */
  writeOut(name: string, text: string): void {
    const p = join(this.root, 'out', name);
    writeFileSync(p, text);
    if (setpriv) chownSync(p, JobUid, JobUid);
  }

  /** Throws if anything under in/ differs from what the runner wrote. */
  assertInUntouched(): void {
    const seen = new Map<string, string>();
    const walk = (rel: string) => {
      for (const name of readdirSync(join(this.root, rel))) {
        const child = `${rel}/${name}`;
        if (statSync(join(this.root, child)).isDirectory()) walk(child);
        else seen.set(child, readFileSync(join(this.root, child), 'utf8'));
      }
    };
    walk('in');
    const expected = [...this.inSnapshot.keys()].sort();
    const actual = [...seen.keys()].sort();
    if (JSON.stringify(expected) !== JSON.stringify(actual)) throw new Error(`in/ changed: ${actual.join(', ')}`);
    for (const [rel, text] of this.inSnapshot) {
      if (seen.get(rel) !== text) throw new Error(`${rel} changed`);
    }
  }

  remove(): void {
    chmodSync(join(this.root, 'in'), 0o755);
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** True when the scripts run as a non-root job user, so in/ is read only for real. */
export const RunsAsJobUser = Boolean(setpriv);

/** The message every helper gives outside Cronium. */
export const NoWorkspace = 'cronium: CRONIUM_WORKSPACE is not set (is this script running under Cronium?)';

/** Non-empty lines of a script's output. */
export const lines = (text: string) => text.split('\n').filter((l) => l !== '');

/** Holds one workspace per test; after each test, in/ must be untouched, and the workspace goes. */
export const workspacePerTest = (): { ws?: Workspace } => {
  const current: { ws?: Workspace } = {};
  afterEach(() => {
    try {
      current.ws?.assertInUntouched();
    } finally {
      current.ws?.remove();
      current.ws = undefined;
    }
  });
  return current;
};
