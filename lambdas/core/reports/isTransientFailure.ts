import { ControlPlaneError, ErrorCodes } from '../errors';

/**
 * Whether a failed report is worth another try. A typed ControlPlaneError is an answer ("no such
 * job", "conflict", "invalid"), and asking again gets the same answer, except `internal`: adapters
 * wrap what they cannot translate (a throttled or unavailable store, a network error) in it. Anything
 * untyped is an unexpected failure of the world, so it is tried again too.
 */
export const isTransientFailure = (err: unknown): boolean => !(err instanceof ControlPlaneError) || err.code === ErrorCodes.internal;
