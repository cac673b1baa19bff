export { createApiGatewayBroadcaster, BroadcastError } from './createApiGatewayBroadcaster';
export { createMessageEncoder } from './createMessageEncoder';
