import type { APIGatewayProxyResult } from 'aws-lambda';

export const jsonResponse = (statusCode: number, body?: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: body === undefined ? '' : JSON.stringify(body),
});
