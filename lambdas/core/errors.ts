/** Stable error codes that reach users as `{code, message}`. */
export const ErrorCodes = {
  invalidInput: 'invalid_input',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  notFound: 'not_found',
  methodNotAllowed: 'method_not_allowed',
  conflict: 'conflict',
  exitNonzero: 'exit_nonzero',
  timeout: 'timeout',
  oom: 'oom',
  diskFull: 'disk_full',
  cancelled: 'cancelled',
  launchFailed: 'launch_failed',
  httpError: 'http_error',
  sshUnreachable: 'ssh_unreachable',
  sshAuth: 'ssh_auth',
  hostKeyMismatch: 'host_key_mismatch',
  circuitOpen: 'circuit_open',
  lost: 'lost',
  deadLettered: 'dead_lettered',
  concurrencyLimit: 'concurrency_limit',
  tooManyQueued: 'too_many_queued',
  internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Base of every error the control plane raises on purpose. */
export class ControlPlaneError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    opts?: ErrorOptions,
  ) {
    super(message, opts);
    this.name = new.target.name;
  }
}

/** Bad input from a caller; `field` names the offending field (dotted path). */
export class ValidationError extends ControlPlaneError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(ErrorCodes.invalidInput, field ? `${field}: ${message}` : message);
  }
}

export class UnauthorizedError extends ControlPlaneError {
  constructor(message = 'missing or invalid API key') {
    super(ErrorCodes.unauthorized, message);
  }
}

export class ForbiddenError extends ControlPlaneError {
  constructor(message = 'not allowed for this API key') {
    super(ErrorCodes.forbidden, message);
  }
}

export class NotFoundError extends ControlPlaneError {
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(ErrorCodes.notFound, `${kind} ${id} not found`);
  }
}

/** The tenant has as many jobs queued as the operator allows; `retryAfterSeconds` becomes `Retry-After`. */
export class TooManyQueuedError extends ControlPlaneError {
  constructor(
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      ErrorCodes.tooManyQueued,
      `this tenant already has ${limit} jobs queued (CRONIUM_MAX_QUEUED_PER_TENANT); retry after ${retryAfterSeconds} s, once some have started`,
    );
  }
}

/** A conditional write lost: the item changed since it was read. */
export class ConflictError extends ControlPlaneError {
  constructor(message: string, opts?: ErrorOptions) {
    super(ErrorCodes.conflict, message, opts);
  }
}
