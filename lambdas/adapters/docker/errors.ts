import { ControlPlaneError, ErrorCodes } from '../../core';
import type { Runtime } from '../../core';

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

/**
 * The job is not one a container can run: an `http` job (the control plane makes the request
 * itself), or a script job whose workspace lacks its script file.
 */
export class UnsupportedJobError extends ControlPlaneError {
  constructor(
    readonly jobId: string,
    readonly runtime: Runtime,
    readonly reason: 'not_a_script_job' | 'no_script',
  ) {
    super(
      ErrorCodes.launchFailed,
      reason === 'not_a_script_job'
        ? `job ${jobId} is an ${runtime} job: the docker launcher runs only bash, python and node scripts`
        : `job ${jobId} has no script file in its workspace`,
    );
  }
}

/** A tar stream read back from the engine is not a well-formed archive. */
export class TarFormatError extends ControlPlaneError {
  constructor(readonly detail: string) {
    super(ErrorCodes.internal, `not a tar archive: ${detail}`);
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
 * can catch it: delivery to ExecutionEvents failed for good, `out/` could not be read back
 * (phase `outputs`: the exit is then reported without outputs), or the engine misbehaved.
 * Logged with the launcher's logger as `err`.
 */
export class ExecutionFollowError extends ControlPlaneError {
  constructor(
    readonly ref: string,
    readonly jobId: string,
    readonly phase: 'output' | 'outputs' | 'exited' | 'follow' | 'deadline' | 'remove',
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
