import { ControlPlaneError, ErrorCodes } from '../../core/errors';

/** The engine refused to create, fill or start a job's container. */
export class DockerLaunchError extends ControlPlaneError {
  constructor(
    readonly jobId: string,
    readonly step: 'create' | 'upload' | 'start',
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.launchFailed, `container for job ${jobId} failed at ${step}`, opts);
  }
}

/** The container behind a ref no longer exists. */
export class ContainerGoneError extends ControlPlaneError {
  constructor(
    readonly ref: string,
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.lost, `container ${ref} no longer exists`, opts);
  }
}

/** A resume token this launcher did not write (or a later, incompatible version did). */
export class InvalidResumeTokenError extends ControlPlaneError {
  constructor(readonly token: string) {
    super(ErrorCodes.invalidInput, `resume token is not a docker launcher token: ${token.slice(0, 80)}`);
  }
}

/** The launcher was closed; it follows nothing new. */
export class LauncherClosedError extends ControlPlaneError {
  constructor() {
    super(ErrorCodes.internal, 'docker launcher is closed');
  }
}

/**
 * Something went wrong while following an execution in the background, where no caller
 * can catch it: delivery to ExecutionEvents failed for good, or the engine misbehaved.
 * Passed to the launcher's `onError`.
 */
export class ExecutionFollowError extends ControlPlaneError {
  constructor(
    readonly ref: string,
    readonly jobId: string,
    readonly phase: 'output' | 'exited' | 'follow' | 'deadline' | 'remove',
    message: string,
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.internal, `job ${jobId} (container ${ref.slice(0, 12)}): ${message}`, opts);
  }
}

/** An engine call failed for a reason the launcher cannot handle. */
export class DockerEngineError extends ControlPlaneError {
  constructor(
    readonly operation: 'kill' | 'remove' | 'list' | 'inspect',
    readonly ref: string,
    opts?: ErrorOptions,
  ) {
    const target = ref === '*' ? 'managed containers' : `container ${ref}`;
    super(ErrorCodes.internal, `docker ${operation} failed for ${target}`, opts);
  }
}
