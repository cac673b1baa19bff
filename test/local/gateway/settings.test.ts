import { describe, expect, it } from 'vitest';
import { createLocalGateway, InvalidGatewayOptionsError } from '../../../lambdas/local/gateway';

const handlers = {
  rest: async () => ({ statusCode: 200, body: '' }),
  websocket: async () => ({ statusCode: 200 }),
};

describe('createLocalGateway options', () => {
  it('rejects conflicting options at once, listing every problem', () => {
    // Arrange
    const options = {
      ...handlers,
      stage: 'a/b',
      wsPath: 'ws',
      maxBodyBytes: 0,
      wsRoutes: ['$default'],
      wsIdentitySource: ['request.header.Authorization'],
    };

    // Act
    let error: unknown;
    try {
      createLocalGateway(options);
    } catch (e) {
      error = e;
    }

    // Assert
    expect(error).toBeInstanceOf(InvalidGatewayOptionsError);
    const problems = (error as InvalidGatewayOptionsError).problems;
    expect(problems).toHaveLength(5);
    expect((error as InvalidGatewayOptionsError).code).toBe('invalid_input');
  });

  it('listens on 127.0.0.1 and reports the ephemeral port it got', async () => {
    // Arrange
    const gateway = createLocalGateway({ ...handlers, port: 0 });

    // Act
    const { url, port } = await gateway.listen();
    await gateway.close();

    // Assert
    expect(port).toBeGreaterThan(0);
    expect(url).toBe(`http://127.0.0.1:${port}`);
  });
});
