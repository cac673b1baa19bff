export { createLocalGateway } from './createLocalGateway';
export { InvalidGatewayOptionsError } from './errors';
export type {
  AuthorizerContext,
  GatewayLogger,
  LocalGateway,
  LocalGatewayOptions,
  RequestAuthorizer,
  RestHandler,
  WebSocketEvent,
  WebSocketHandler,
  WebSocketRequestContext,
  WebSocketResult,
} from './types';
