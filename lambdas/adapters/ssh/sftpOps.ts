import type { FileEntryWithStats, SFTPWrapper, Stats } from 'ssh2';

/** The SFTP calls the executor makes, as promises. */
export const sftpOps = (sftp: SFTPWrapper) => {
  const call = <T>(fn: (cb: (err: Error | undefined | null, value?: T) => void) => void): Promise<T> =>
    new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));

  return {
    lstat: (path: string) => call<Stats>((cb) => sftp.lstat(path, cb)),
    mkdir: (path: string, mode: number) => call<void>((cb) => sftp.mkdir(path, { mode }, cb)),
    chmod: (path: string, mode: number) => call<void>((cb) => sftp.chmod(path, mode, cb)),
    writeFile: (path: string, content: Buffer, mode: number) => call<void>((cb) => sftp.writeFile(path, content, { mode, flag: 'wx' }, cb)),
    readdir: (path: string) => call<FileEntryWithStats[]>((cb) => sftp.readdir(path, cb)),

    /** Reads a file's first `max` bytes at most. */
    async readBounded(path: string, max: number): Promise<Buffer> {
      const handle = await call<Buffer>((cb) => sftp.open(path, 'r', cb));
      try {
        const parts: Buffer[] = [];
        let total = 0;
        while (total < max) {
          const want = Math.min(32 * 1024, max - total);
          const n = await new Promise<number>((resolve, reject) =>
            sftp.read(handle, Buffer.alloc(want), 0, want, total, (err, bytesRead, buf) => {
              if (err) {
                // ssh2 reports end of file as an error with the SFTP EOF code (1).
                if ((err as Error & { code?: number }).code === 1) resolve(0);
                else reject(err);
                return;
              }
              parts.push(buf.subarray(0, bytesRead));
              resolve(bytesRead);
            }),
          );
          if (n === 0) break;
          total += n;
        }
        return Buffer.concat(parts);
      } finally {
        await call<void>((cb) => sftp.close(handle, cb)).catch(() => {});
      }
    },
  };
};

/** The promise-returning SFTP calls. */
export type SftpOps = ReturnType<typeof sftpOps>;
