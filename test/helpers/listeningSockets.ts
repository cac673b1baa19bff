import { readdir, readFile, readlink } from 'node:fs/promises';

/** Inodes of the sockets this process holds open (Linux: /proc/self/fd). */
async function ownSocketInodes(): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(match[1]!);
  }
  return inodes;
}

const rows = async (file: string): Promise<string[][]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 7);

/** TCP state LISTEN in /proc/net/tcp{,6}. */
const TCP_LISTEN = '0A';
/** __SO_ACCEPTCON in /proc/net/unix: the socket accepts connections. */
const UNIX_ACCEPTING = 0x10000;

/**
 * The TCP ports this process listens on, IPv4 and IPv6, read from /proc (Linux), so a listener
 * opened by any library in the process shows up, not only the ones a test knows about.
 */
export async function ownTcpListenPorts(): Promise<number[]> {
  const own = await ownSocketInodes();
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const cols of await rows(file)) {
      if (cols[3] === TCP_LISTEN && own.has(cols[9]!)) ports.push(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return ports.sort((a, b) => a - b);
}

/** The paths of the Unix sockets this process accepts connections on (Linux: /proc/net/unix). */
export async function ownUnixListenPaths(): Promise<string[]> {
  const own = await ownSocketInodes();
  return (await rows('/proc/net/unix'))
    .filter((cols) => (parseInt(cols[3]!, 16) & UNIX_ACCEPTING) !== 0 && own.has(cols[6]!) && cols[7] !== undefined)
    .map((cols) => cols[7]!);
}
