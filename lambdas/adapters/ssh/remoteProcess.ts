import type { Client } from 'ssh2';
import type { RawLine } from '../../core';
import { openExec } from './channels';
import { createLineSplitter } from './lineSplitter';
import { startCommand } from './remoteScripts';

/** How the supervisor's channel ended. */
export interface RemoteExit {
  /** The job's exit status (128+n when a signal killed it); null when none arrived. */
  code: number | null;
  /** The channel closed without an exit status: the connection broke (or was closed on us). */
  lost: boolean;
}

/** A running job: its output flows into the queue; orders go to the supervisor. */
export interface RemoteProcess {
  /** Resolves once the channel closed and the last partial lines were queued. */
  readonly done: Promise<RemoteExit>;
  /** Signals the job's whole process group (through the supervisor's stdin). */
  order(signal: 'TERM' | 'KILL'): void;
  /** Closes the channel: the supervisor sees end of input and stops the job itself. */
  abandon(): void;
  /** Stops reading (SSH flow control then holds the job's writes) or reads on. */
  setPaused(paused: boolean): void;
}

/** After the exit status, how long output may still arrive before the channel is closed on it. */
const ExitDrainMs = 2_000;

/**
 * Starts a prepared workspace's supervisor on an exec channel and streams stdout and stderr,
 * line by line, to `onLines`.
 * @throws SshChannelError when the channel cannot be opened.
 */
export const startRemoteProcess = async (
  client: Client,
  ws: string,
  o: { serverId: string; onLines: (lines: RawLine[]) => void },
): Promise<RemoteProcess> => {
  const { channel, onExit, closed } = await openExec(client, startCommand(ws), o.serverId);
  const stdout = createLineSplitter({ stream: 'stdout' });
  const stderr = createLineSplitter({ stream: 'stderr' });
  let exited = false;
  let drainTimer: NodeJS.Timeout | undefined;
  channel.on('data', (chunk: Buffer) => o.onLines(stdout.push(chunk)));
  channel.stderr.on('data', (chunk: Buffer) => o.onLines(stderr.push(chunk)));
  onExit(() => {
    exited = true;
    // Output written before the exit may still be in flight; a process that escaped the
    // job's group could hold the channel open for ever: close it after a short drain.
    drainTimer = setTimeout(() => channel.close(), ExitDrainMs);
    drainTimer.unref();
  });
  const done = closed.then((exit): RemoteExit => {
    clearTimeout(drainTimer);
    o.onLines([...stdout.flush(), ...stderr.flush()]);
    if (!exit) return { code: null, lost: true };
    // The supervisor passes the job's status on; a signal can only have hit the supervisor itself.
    return { code: exit.code ?? 128 + (SignalNumbers[exit.signal ?? ''] ?? 0), lost: false };
  });

  return {
    done,
    order(signal) {
      if (exited) return;
      try {
        channel.write(`${signal}\n`);
      } catch {
        // The channel is gone: the supervisor saw end of input and stops the job itself.
      }
    },
    abandon() {
      try {
        channel.close();
      } catch {
        // Already closed.
      }
    },
    setPaused(paused) {
      if (paused) {
        channel.pause();
        channel.stderr.pause();
      } else {
        channel.resume();
        channel.stderr.resume();
      }
    },
  };
};

const SignalNumbers: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, ABRT: 6, KILL: 9, SEGV: 11, PIPE: 13, ALRM: 14, TERM: 15 };
