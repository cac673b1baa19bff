/** Somewhere to write text: `process.stdout` fits, so does a test buffer. */
export interface TextSink {
  write(chunk: string): unknown;
}

/**
 * Everything the CLI takes from its process. Injected so tests run the CLI
 * in-process with their own streams, environment and Ctrl-C.
 */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths (script files, the default data dir) resolve against. */
  cwd: string;
  /** Calls `handler` on Ctrl-C until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

/** The real process's streams, environment and SIGINT. */
export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
});
