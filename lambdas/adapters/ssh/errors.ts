import { ControlPlaneError, ErrorCodes, ValidationError } from '../../core';

/** The core's codes that only the SSH adapter raises. */
export const SshErrorCodes = {
  unreachable: ErrorCodes.sshUnreachable,
  auth: ErrorCodes.sshAuth,
  hostKeyMismatch: ErrorCodes.hostKeyMismatch,
  circuitOpen: ErrorCodes.circuitOpen,
} as const;
export type SshErrorCode = (typeof SshErrorCodes)[keyof typeof SshErrorCodes];

/** Where a connection was going, as error messages name it (never with credentials). */
export interface SshTarget {
  id: string;
  host: string;
  port: number;
  username: string;
}

const where = (t: SshTarget) => `${t.host}:${t.port}`;

/** The server could not be reached: refused, timed out, name not resolved, reset before login. */
export class SshUnreachableError extends ControlPlaneError {
  constructor(
    readonly serverId: string,
    readonly host: string,
    readonly port: number,
    readonly reason: string,
    opts?: ErrorOptions,
  ) {
    super(SshErrorCodes.unreachable, `cannot reach ${host}:${port}: ${reason}`, opts);
  }
}

/** The server refused the login: the key is not accepted for this user. */
export class SshAuthError extends ControlPlaneError {
  constructor(
    readonly serverId: string,
    target: SshTarget,
    opts?: ErrorOptions,
  ) {
    super(SshErrorCodes.auth, `${target.username}@${where(target)} did not accept the private key (server ${serverId})`, opts);
  }
}

/** The server presented a host key other than the pinned one: possibly a man in the middle. */
export class HostKeyMismatchError extends ControlPlaneError {
  constructor(
    readonly serverId: string,
    target: SshTarget,
    readonly expected: string,
    readonly seen: string,
  ) {
    super(SshErrorCodes.hostKeyMismatch, `host key of ${where(target)} (server ${serverId}) is ${seen}, expected ${expected}`);
  }
}

/** Runs on this server fail fast: its last connection attempts all failed. */
export class CircuitOpenError extends ControlPlaneError {
  /** When a trial connection will be let through (ISO-8601). */
  readonly retryAt: string;
  constructor(
    readonly serverId: string,
    retryAtMs: number,
    failures: number,
  ) {
    const retryAt = new Date(retryAtMs).toISOString();
    super(
      SshErrorCodes.circuitOpen,
      `server ${serverId} is unreachable (${failures} connection failures in a row); not trying again before ${retryAt}`,
    );
    this.retryAt = retryAt;
  }
}

/** A private key or its passphrase was not accepted; the message never echoes either. */
export class InvalidKeyError extends ValidationError {
  constructor(
    readonly keyField: 'privateKey' | 'passphrase',
    message: string,
  ) {
    super(keyField, message);
  }
}

/** Something in an execution request cannot be run over SSH (an env name, a workspace path). */
export class InvalidExecutionError extends ValidationError {}

/** Preparing the remote workspace or starting the script failed (the script did not run). */
export class SshLaunchError extends ControlPlaneError {
  constructor(
    readonly serverId: string,
    readonly step: 'workspace' | 'upload' | 'start',
    message: string,
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.launchFailed, `server ${serverId}: ${step} failed: ${message}`, opts);
  }
}

/** The executor was closed; it runs nothing new. */
export class SshExecutorClosedError extends ControlPlaneError {
  constructor() {
    super(ErrorCodes.internal, 'ssh executor is closed');
  }
}

/** An SSH channel (exec or SFTP) could not be opened or broke: usually the connection is gone. */
export class SshChannelError extends ControlPlaneError {
  constructor(
    readonly serverId: string,
    readonly operation: string,
    opts?: ErrorOptions,
  ) {
    const cause = opts?.cause instanceof Error ? `: ${opts.cause.message}` : '';
    super(ErrorCodes.internal, `server ${serverId}: ${operation} failed${cause}`, opts);
  }
}
