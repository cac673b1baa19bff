import type { Broadcaster } from '../../core';
import type { LocalGateway } from './types';

/**
 * The one-machine Broadcaster: writes each message straight into the local gateway's connection,
 * with the management API's outcomes (`gone`, `throttled` past 1 MiB unread) but without its signed
 * HTTP round trip (see docs/architecture.md). A message object pushed to many connections (the
 * live feed shares one frame among the subscribers at the same line) is serialized once.
 */
export const createDirectBroadcaster = (o: { gateway: Pick<LocalGateway, 'push'> }): Broadcaster => {
  const encoded = new WeakMap<object, Buffer>();
  const encode = (message: unknown): Buffer => {
    if (typeof message !== 'object' || message === null) return Buffer.from(JSON.stringify(message));
    let data = encoded.get(message);
    if (!data) {
      data = Buffer.from(JSON.stringify(message));
      encoded.set(message, data);
    }
    return data;
  };
  return {
    send: (connectionId, message) => Promise.resolve(o.gateway.push(connectionId, encode(message))),
  };
};
