export { createApiGatewayBroadcaster, BroadcastError } from './createApiGatewayBroadcaster';
