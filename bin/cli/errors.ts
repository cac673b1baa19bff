/** Exit codes the CLI uses for its own failures. */
export const ExitCodes = {
  ok: 0,
  failure: 1,
  usage: 2,
  timeout: 124,
  interrupted: 130,
} as const;

/**
 * Base of every error the CLI raises on purpose. `main` prints its message
 * as `error: <message>` (never a stack) and exits with `exitCode`.
 */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = ExitCodes.failure,
    opts?: ErrorOptions,
  ) {
    super(message, opts);
    this.name = new.target.name;
  }
}

/** The command line itself is wrong (bad value, cannot infer something). */
export class UsageError extends CliError {
  constructor(message: string) {
    super('usage', message, ExitCodes.usage);
  }
}

/** The API answered 4xx/5xx; `code` and `message` come from its error body. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** Nothing answered at the control plane's URL. */
export class UnreachableError extends CliError {
  constructor(
    readonly url: string,
    reason: string,
    opts?: ErrorOptions,
  ) {
    super(
      'unreachable',
      `the Cronium control plane is not reachable at ${url} (${reason}).\n` +
        'Start one on this machine with `cronium start`, or point --url / CRONIUM_URL at a running one.',
      ExitCodes.failure,
      opts,
    );
  }
}

/** No API key from the flag, the environment or the data directory. */
export class MissingApiKeyError extends CliError {
  constructor(readonly keyFile: string) {
    super(
      'missing_api_key',
      `no API key: pass --api-key or set CRONIUM_API_KEY, or run \`cronium start\` once ` +
        `so the local control plane writes its admin key to ${keyFile}`,
    );
  }
}

/** A local file the command needs could not be read. */
export class FileReadError extends CliError {
  constructor(
    readonly path: string,
    reason: string,
    opts?: ErrorOptions,
  ) {
    super('file_unreadable', `cannot read ${path}: ${reason}`, ExitCodes.failure, opts);
  }
}
