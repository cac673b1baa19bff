import { Agent, type ClientRequestArgs } from 'node:http';
import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * A DocumentClient as the stores expect it: undefined values dropped, numbers as JS numbers.
 * Pass `endpoint`, `region` and `credentials` for a local engine; leave them out on AWS.
 * @example const client = createDocumentClient({ endpoint: 'http://127.0.0.1:4567', region: 'local' });
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** An http.Agent whose every connection goes to one Unix domain socket, whatever host the URL names. */
class UnixSocketAgent extends Agent {
  constructor(private readonly socketPath: string) {
    super({ keepAlive: true });
  }

  // Returning the socket is enough: the Agent hands it to the request, which sees its errors.
  override createConnection(_options: ClientRequestArgs): Duplex {
    return createConnection({ path: this.socketPath });
  }
}

/**
 * A request handler that sends the SDK's HTTP requests over the Unix domain socket at `socketPath`
 * (connections kept alive). The client's `endpoint` stays an `http://` URL, since the SDK signs the
 * host it names; only the transport changes. `client.destroy()` closes the connections.
 * @example
 * const client = createDocumentClient({ endpoint: 'http://localhost', region: 'local', credentials,
 *   requestHandler: unixSocketRequestHandler('/srv/cronium/dynamo.sock') });
 */
export function unixSocketRequestHandler(socketPath: string): NodeHttpHandler {
  return new NodeHttpHandler({ httpAgent: new UnixSocketAgent(socketPath) });
}
