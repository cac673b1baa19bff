import { ControlPlaneError, ErrorCodes, ValidationError } from '../../core';

/** An http job's request spec cannot be sent as given (raised by create, before anything is sent). */
export class InvalidHttpSpecError extends ValidationError {}

/** `CRONIUM_HTTP_ALLOW` (or the `allow` option) holds entries that are not CIDRs or addresses. */
export class InvalidAllowListError extends ControlPlaneError {
  constructor(readonly entries: readonly string[]) {
    super(ErrorCodes.invalidInput, `CRONIUM_HTTP_ALLOW: not a CIDR or an IP address: ${entries.map((e) => JSON.stringify(e)).join(', ')}`);
  }
}

/** Why an http request did not produce a usable response. */
export const HttpFailureReasons = {
  /** The target address is in a blocked range, or the URL's scheme is not http(s). */
  refused: 'refused',
  dns: 'dns',
  connect: 'connect',
  tls: 'tls',
  /** The server answered something that is not valid HTTP, or broke off mid-response. */
  protocol: 'protocol',
  redirect: 'redirect',
} as const;
export type HttpFailureReason = (typeof HttpFailureReasons)[keyof typeof HttpFailureReasons];

/**
 * An http job's request failed before a final response arrived. Its message is what the user sees
 * as the job's error (`http_error`), so it names the request and never carries a stack.
 */
export class HttpRequestError extends ControlPlaneError {
  constructor(
    readonly reason: HttpFailureReason,
    message: string,
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.httpError, message, opts);
  }
}

/** The SSRF guard refused an address the request would have connected to. Nothing was sent. */
export class BlockedAddressError extends HttpRequestError {
  constructor(
    readonly request: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(HttpFailureReasons.refused, `${request} refused: ${address} is in a blocked range (${range}); CRONIUM_HTTP_ALLOW opens ranges`);
  }
}

/** Why the launcher itself aborted an in-flight request. */
export const AbortReasons = { timeout: 'timeout', cancelled: 'cancelled', closed: 'closed' } as const;
export type AbortReason = (typeof AbortReasons)[keyof typeof AbortReasons];

/** The abort reason handed to an in-flight request's AbortSignal. */
export class HttpRequestAbortedError extends ControlPlaneError {
  constructor(
    readonly why: AbortReason,
    message: string,
  ) {
    super(why === AbortReasons.timeout ? ErrorCodes.timeout : ErrorCodes.cancelled, message);
  }
}

/** start() was given a ref this launcher did not create, or one already stopped. */
export class HttpExecutionNotFoundError extends ControlPlaneError {
  constructor(readonly ref: string) {
    super(ErrorCodes.lost, `http execution ${ref} does not exist in this process`);
  }
}

/** The launcher was closed; it sends nothing new. */
export class HttpLauncherClosedError extends ControlPlaneError {
  constructor() {
    super(ErrorCodes.internal, 'http launcher is closed');
  }
}

/**
 * Reporting an execution's output or exit to ExecutionEvents failed in the background, where no
 * caller can catch it. Passed to the launcher's `onError`.
 */
export class HttpReportError extends ControlPlaneError {
  constructor(
    readonly ref: string,
    readonly phase: 'output' | 'exited' | 'request',
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.internal, `http execution ${ref}: reporting ${phase} failed`, opts);
  }
}
