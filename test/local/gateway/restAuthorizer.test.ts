import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { ControlPlane } from '../../../lambdas/core';
import { UnauthorizedError } from '../../../lambdas/core';
import { createAuthorizerHandler } from '../../../lambdas/handlers/authorizer';
import { policy, send, useGateway } from './harness';

const errorOf = (text: string) => (JSON.parse(text) as { error: { code: string; message: string } }).error;

describe('local gateway: REST REQUEST authorizer', () => {
  const start = useGateway();

  /** A gateway whose REST handler and authorizer record what they get. */
  const startWith = async (authorize: (e: APIGatewayRequestAuthorizerEvent) => ReturnType<typeof policy>) => {
    const restEvents: APIGatewayProxyEvent[] = [];
    const authorizerEvents: APIGatewayRequestAuthorizerEvent[] = [];
    const started = await start({
      publicPaths: ['/health'],
      rest: async (event) => {
        restEvents.push(event);
        return { statusCode: 200, body: '{}' };
      },
      restAuthorizer: async (event) => {
        authorizerEvents.push(event);
        return authorize(event);
      },
    });
    return { ...started, restEvents, authorizerEvents };
  };

  it('answers 401 unauthorized without calling the authorizer when Authorization is missing', async () => {
    // Arrange
    const gw = await startWith((e) => policy('Allow', e.methodArn));

    // Act
    const reply = await send(gw.url, { path: '/jobs' });

    // Assert
    expect(reply.status).toBe(401);
    expect(errorOf(reply.text).code).toBe('unauthorized');
    expect(reply.headers['www-authenticate']).toBe('Bearer');
    expect(gw.authorizerEvents).toHaveLength(0);
    expect(gw.restEvents).toHaveLength(0);
  });

  it('answers 401 when the authorizer throws Unauthorized', async () => {
    // Arrange
    const gw = await startWith(() => {
      throw new Error('Unauthorized');
    });

    // Act
    const reply = await send(gw.url, { path: '/jobs', headers: [['Authorization', 'Bearer nope']] });

    // Assert
    expect(reply.status).toBe(401);
    expect(errorOf(reply.text).code).toBe('unauthorized');
    expect(gw.restEvents).toHaveLength(0);
  });

  it('answers 403 forbidden when the policy denies the method', async () => {
    // Arrange
    const gw = await startWith((e) => policy('Deny', e.methodArn));

    // Act
    const reply = await send(gw.url, { path: '/jobs', headers: [['Authorization', 'Bearer key']] });

    // Assert
    expect(reply.status).toBe(403);
    expect(errorOf(reply.text).code).toBe('forbidden');
    expect(gw.restEvents).toHaveLength(0);
  });

  it('answers 403 when the only Allow is for another resource', async () => {
    // Arrange
    const gw = await startWith((e) => policy('Allow', e.methodArn.replace(/\/GET\/.*$/, '/POST/*')));

    // Act
    const reply = await send(gw.url, { path: '/jobs', headers: [['Authorization', 'Bearer key']] });

    // Assert
    expect(reply.status).toBe(403);
  });

  it('passes the Allow context, stringified, and the principalId to the handler', async () => {
    // Arrange
    const gw = await startWith((e) =>
      policy('Allow', `${e.methodArn.split('/').slice(0, 2).join('/')}/*`, { tenant: 't-1', admin: true, quota: 5 }),
    );

    // Act
    const reply = await send(gw.url, {
      path: '/jobs/42?after=3',
      headers: [['Authorization', 'Bearer good-key']],
    });

    // Assert
    expect(reply.status).toBe(200);
    expect(gw.restEvents[0]?.requestContext.authorizer).toMatchObject({
      principalId: 'tenant-1',
      tenant: 't-1',
      admin: 'true',
      quota: '5',
      integrationLatency: expect.any(Number),
    });
    const authorizerEvent = gw.authorizerEvents[0]!;
    expect(authorizerEvent).toMatchObject({
      type: 'REQUEST',
      httpMethod: 'GET',
      path: '/jobs/42',
      resource: '/{proxy+}',
      queryStringParameters: { after: '3' },
    });
    expect(authorizerEvent.headers?.['Authorization']).toBe('Bearer good-key');
    expect(authorizerEvent.methodArn).toMatch(/^arn:aws:execute-api:[^:]+:\d{12}:[^/]+\/local\/GET\/jobs\/42$/);
  });

  it('serves a public path without calling the authorizer', async () => {
    // Arrange
    const gw = await startWith(() => {
      throw new Error('Unauthorized');
    });

    // Act
    const reply = await send(gw.url, { path: '/health' });

    // Assert
    expect(reply.status).toBe(200);
    expect(gw.authorizerEvents).toHaveLength(0);
    expect(gw.restEvents[0]?.requestContext.authorizer).toBeUndefined();
  });

  it('answers 500 when the authorizer fails in any other way', async () => {
    // Arrange
    const gw = await startWith(() => {
      throw new Error('database down');
    });

    // Act
    const reply = await send(gw.url, { path: '/jobs', headers: [['Authorization', 'Bearer key']] });

    // Assert
    expect(reply.status).toBe(500);
    expect(gw.restEvents).toHaveLength(0);
  });
  it('hands both of two Authorization headers to the authorizer, which refuses them with 401', async () => {
    // Arrange
    const key = 'crn_good';
    const authorizer = createAuthorizerHandler({
      auth: {
        authenticate: async (presented: string | undefined) => {
          if (presented !== key) throw new UnauthorizedError();
          return { tenant: 't-1', role: 'user' };
        },
      },
    } as unknown as ControlPlane);
    const seen: APIGatewayRequestAuthorizerEvent[] = [];
    const { url } = await start({
      rest: async () => ({ statusCode: 200, body: '{}' }),
      restAuthorizer: async (event) => {
        seen.push(event);
        return authorizer(event);
      },
    });

    // Act
    const two = await send(url, {
      path: '/jobs',
      headers: [
        ['Authorization', 'Bearer crn_nope'],
        ['Authorization', `Bearer ${key}`],
      ],
    });
    const token = await send(url, { path: `/jobs?token=${key}`, headers: [['Authorization', 'x']] });
    const one = await send(url, { path: '/jobs', headers: [['Authorization', `Bearer ${key}`]] });

    // Assert
    expect(seen[0]?.multiValueHeaders?.['Authorization']).toEqual(['Bearer crn_nope', `Bearer ${key}`]);
    expect(two.status).toBe(401);
    expect(token.status).toBe(401);
    expect(one.status).toBe(200);
  });
});
