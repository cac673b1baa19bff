import { createMessageEncoder } from '../../adapters/apigw-management';
import type { Broadcaster } from '../../core';
import type { LocalGateway } from './types';

/**
 * The one-machine Broadcaster: writes each message straight into the local gateway's connection,
 * with the management API's outcomes (`gone`, `throttled` past 1 MiB unread) but without its signed
 * HTTP round trip (see docs/architecture.md). A message object pushed to many connections (the
 * live feed shares one frame among the subscribers at the same line) is serialized once.
 */
export const createDirectBroadcaster = (o: { gateway: Pick<LocalGateway, 'push'> }): Broadcaster => {
  const encode = createMessageEncoder();
  return {
    send: (connectionId, message) => Promise.resolve(o.gateway.push(connectionId, encode(message))),
  };
};
