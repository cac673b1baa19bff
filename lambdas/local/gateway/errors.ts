import { ControlPlaneError, ErrorCodes, ValidationError } from '../../core/errors';

/** Gateway options that cannot work together; `problems` lists every one found. */
export class InvalidGatewayOptionsError extends ControlPlaneError {
  constructor(readonly problems: string[]) {
    super(ErrorCodes.invalidInput, `invalid local gateway options: ${problems.join('; ')}`);
  }
}

/** A request body over the configured limit (413). */
export class PayloadTooLargeError extends ValidationError {
  constructor(readonly maxBytes: number) {
    super('body', `must be at most ${maxBytes} bytes`);
  }
}

/** A request body that did not arrive in full within the body timeout (408). */
export class RequestTimeoutError extends ControlPlaneError {
  constructor(readonly timeoutMs: number) {
    super(ErrorCodes.timeout, `body: not received in full within ${timeoutMs} ms`);
  }
}

/** A handler that did not settle within the integration timeout (504 on REST). */
export class IntegrationTimeoutError extends ControlPlaneError {
  constructor(
    readonly functionName: string,
    readonly timeoutMs: number,
  ) {
    super(ErrorCodes.timeout, `${functionName} did not answer within ${timeoutMs} ms`);
  }
}

/** A Lambda proxy result API Gateway could not map (no numeric statusCode, non-string body…). */
export class MalformedProxyResultError extends ControlPlaneError {
  constructor(message: string) {
    super(ErrorCodes.internal, `malformed Lambda proxy response: ${message}`);
  }
}

/** An authorizer result API Gateway would reject (no policy, nested context values…). */
export class AuthorizerConfigurationError extends ControlPlaneError {
  constructor(message: string, opts?: ErrorOptions) {
    super(ErrorCodes.internal, `authorizer configuration error: ${message}`, opts);
  }
}
