// Ours, not a library: the emulators that exist need their own framework (serverless-offline) or a
// container (LocalStack, whose WebSocket APIs are paid); this one serves the very events AWS sends.
export { createLocalGateway } from './createLocalGateway';
export { createDirectBroadcaster } from './createDirectBroadcaster';
export { InvalidGatewayOptionsError } from './errors';
export type {
  AuthorizerContext,
  GatewayLogger,
  LocalGateway,
  LocalGatewayOptions,
  RequestAuthorizer,
  RestHandler,
  RestStreamHandler,
  StreamedRestResult,
  WebSocketEvent,
  WebSocketHandler,
  WebSocketRequestContext,
  WebSocketResult,
} from './types';
