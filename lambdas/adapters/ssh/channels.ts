import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { SshChannelError } from './errors';

/** What a short command printed and how it ended. */
export interface CommandResult {
  /** Exit status; null when the command died of a signal or the channel closed without one. */
  code: number | null;
  /** The signal that ended the command, when one did (`KILL`, `TERM`…). */
  signal?: string;
  stdout: string;
  stderr: string;
}

/** How a remote command ended: its status, or the signal that killed it. */
export interface ChannelExit {
  /** Exit status; null when a signal ended the command. */
  code: number | null;
  /** Signal name without `SIG` (`KILL`, `TERM`…), when one ended the command. */
  signal?: string;
}

/** An exec channel whose exit is recorded from the start. */
export interface ExecChannel {
  channel: ClientChannel;
  /** Calls back once with the exit (at once when it already came). */
  onExit(cb: (exit: ChannelExit) => void): void;
  /** Resolves when the channel closed: with the exit, or undefined when none came. */
  closed: Promise<ChannelExit | undefined>;
}

/**
 * Opens an exec channel. The command line must never hold secrets (`ps` shows it).
 *
 * The exit listener is attached inside ssh2's callback: a fast command's reply, output, exit
 * and close can arrive in one read, and ssh2 emits `exit` (a plain event, not buffered like
 * stream data) before any code awaiting this promise could listen.
 * @throws SshChannelError when the channel cannot be opened (connection gone, sessions exhausted).
 */
export const openExec = (client: Client, command: string, serverId: string): Promise<ExecChannel> =>
  new Promise((resolve, reject) => {
    try {
      client.exec(command, (err, channel) => {
        if (err) {
          reject(new SshChannelError(serverId, 'opening an exec channel', { cause: err }));
          return;
        }
        let exit: ChannelExit | undefined;
        const waiting: Array<(exit: ChannelExit) => void> = [];
        channel.on('exit', (code: number | null, signal?: string) => {
          exit = typeof code === 'number' ? { code } : { code: null, signal: signal?.replace(/^SIG/, '') ?? 'unknown' };
          for (const cb of waiting.splice(0)) cb(exit);
        });
        channel.on('error', () => {});
        const closed = new Promise<ChannelExit | undefined>((r) => channel.once('close', () => r(exit)));
        resolve({
          channel,
          onExit: (cb) => (exit ? cb(exit) : void waiting.push(cb)),
          closed,
        });
      });
    } catch (err) {
      reject(new SshChannelError(serverId, 'opening an exec channel', { cause: err }));
    }
  });

/**
 * Runs a short command and collects its output (each stream capped at `maxBytes`).
 * @throws SshChannelError when the channel cannot be opened, or it did not close within `timeoutMs`.
 */
export const runCommand = async (
  client: Client,
  command: string,
  o: { serverId: string; timeoutMs: number; maxBytes?: number },
): Promise<CommandResult> => {
  const { channel, closed } = await openExec(client, command, o.serverId);
  const maxBytes = o.maxBytes ?? 64 * 1024;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let outBytes = 0;
  let errBytes = 0;
  channel.on('data', (chunk: Buffer) => {
    if (outBytes < maxBytes) out.push(chunk);
    outBytes += chunk.length;
  });
  channel.stderr.on('data', (chunk: Buffer) => {
    if (errBytes < maxBytes) err.push(chunk);
    errBytes += chunk.length;
  });
  channel.end();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      channel.close();
      reject(new SshChannelError(o.serverId, `command did not finish within ${o.timeoutMs} ms`));
    }, o.timeoutMs);
  });
  try {
    const exit = await Promise.race([closed, timeout]);
    return {
      code: exit?.code ?? null,
      ...(exit?.signal ? { signal: exit.signal } : {}),
      stdout: Buffer.concat(out).subarray(0, maxBytes).toString('utf8'),
      stderr: Buffer.concat(err).subarray(0, maxBytes).toString('utf8'),
    };
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Opens an SFTP session.
 * @throws SshChannelError when it cannot be opened.
 */
export const openSftp = (client: Client, serverId: string): Promise<SFTPWrapper> =>
  new Promise((resolve, reject) => {
    try {
      client.sftp((err, sftp) => {
        if (err) {
          reject(new SshChannelError(serverId, 'opening an SFTP session', { cause: err }));
          return;
        }
        // Failures reach the pending requests' callbacks; an unheard 'error' would crash the process.
        sftp.on('error', () => {});
        resolve(sftp);
      });
    } catch (err) {
      reject(new SshChannelError(serverId, 'opening an SFTP session', { cause: err }));
    }
  });

/** Ends an SFTP session and waits (briefly) for its channel to close, so it no longer counts against MaxSessions. */
export const closeSftp = (sftp: SFTPWrapper): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, 2_000);
    sftp.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    sftp.on('error', () => {});
    try {
      sftp.end();
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
