export { createHttpLauncher, HTTP_REF_PREFIX, isHttpRef } from './httpLauncher';
export type { HttpLauncher, HttpLauncherOptions } from './httpLauncher';
export { createAddressPolicy, blockedRangeOf, HTTP_ALLOW_ENV, parseHttpAllowList } from './addressPolicy';
export type { AddressPolicy, AddressVerdict } from './addressPolicy';
export { systemResolver } from './targetGuard';
export type { ResolvedAddress, Resolver } from './targetGuard';
export type { HttpJobOutput } from './responseOutput';
export {
  AbortReasons,
  BlockedAddressError,
  HttpExecutionNotFoundError,
  HttpFailureReasons,
  HttpLauncherClosedError,
  HttpReportError,
  HttpRequestAbortedError,
  HttpRequestError,
  InvalidAllowListError,
  InvalidHttpSpecError,
} from './errors';
export type { AbortReason, HttpFailureReason } from './errors';
export { createGuardedNetwork } from './guardedRequest';
export type { GuardedNetwork, GuardedRequest, GuardedResponse } from './guardedRequest';
