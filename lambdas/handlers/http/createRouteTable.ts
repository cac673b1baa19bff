// Not @middy/http-router: it also matches a path with a trailing `/` (`/jobs/` would be `/jobs`,
// where API Gateway's resources answer 404) and answers every miss alike, so a known path with
// another method could not get its 405 and `Allow` header without a second table of our own.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ControlPlaneError, ErrorCodes } from '../../core';
import { checkPathParams } from './pathParams';

export type RouteParams = Record<string, string>;
export type RouteHandler = (event: APIGatewayProxyEvent, params: RouteParams) => Promise<APIGatewayProxyResult>;

interface Route {
  method: string;
  path: string;
  segments: string[];
  handler: RouteHandler;
}

/** One entry of the table: the method and the path template as registered (`/jobs/:id`). */
export interface RouteEntry {
  method: string;
  path: string;
}

class RouteNotFoundError extends ControlPlaneError {
  constructor(method: string, path: string) {
    super(ErrorCodes.notFound, `no route for ${method} ${path}`);
  }
}

/** A known path asked with a method it does not have; `allowed` lists the ones it has. */
export class MethodNotAllowedError extends ControlPlaneError {
  constructor(
    method: string,
    path: string,
    readonly allowed: readonly string[],
  ) {
    super(ErrorCodes.methodNotAllowed, `method ${method} is not allowed on ${path}`);
  }
}

/**
 * The method + path table of one proxy resource; `:name` segments become params.
 * Paths match exactly, as resources do on API Gateway: `/jobs/` and `//jobs` are not `/jobs`.
 * The path arrives decoded once (by API Gateway or the local gateway) and is not decoded again.
 */
export const createRouteTable = () => {
  const routes: Route[] = [];

  const match = (route: Route, parts: string[]): RouteParams | undefined => {
    if (route.segments.length !== parts.length) return undefined;
    const params: RouteParams = {};
    for (const [i, seg] of route.segments.entries()) {
      const part = parts[i]!;
      if (seg.startsWith(':')) {
        if (part === '') return undefined;
        params[seg.slice(1)] = part;
      } else if (seg !== part) return undefined;
    }
    return params;
  };

  return {
    on(method: string, path: string, handler: RouteHandler) {
      routes.push({ method, path, segments: path.split('/').slice(1), handler });
      return this;
    },
    /** Every route, in registration order (the OpenAPI completeness test reads it). */
    routes(): RouteEntry[] {
      return routes.map(({ method, path }) => ({ method, path }));
    },
    /**
     * The template of the route a request matches (`/jobs/:id`), or undefined: a bounded label for
     * metrics, never the raw path with its ids.
     */
    templateOf(method: string, path: string): string | undefined {
      const parts = path.split('/').slice(1);
      return routes.find((route) => route.method === method && match(route, parts) !== undefined)?.path;
    },
    /**
     * @throws a not_found error for an unknown path, MethodNotAllowedError for a known path with
     * another method, ValidationError for a path parameter that breaks its rule.
     */
    async route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
      const parts = event.path.split('/').slice(1);
      const allowed: string[] = [];
      for (const route of routes) {
        const params = match(route, parts);
        if (!params) continue;
        if (route.method === event.httpMethod) {
          checkPathParams(params);
          return route.handler(event, params);
        }
        allowed.push(route.method);
      }
      if (allowed.length > 0) throw new MethodNotAllowedError(event.httpMethod, event.path, allowed);
      throw new RouteNotFoundError(event.httpMethod, event.path);
    },
  };
};
