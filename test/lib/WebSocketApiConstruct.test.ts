import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { InvalidPropsError, WebSocketApiConstruct, type WebSocketApiConstructProps } from '../../lib';
import { inlineFunction, resourcesOfType, testStack, thrownBy } from './fixtures';

const build = (props: Partial<WebSocketApiConstructProps> = {}) => {
  const stack = testStack();
  const ws = new WebSocketApiConstruct(stack, 'Ws', {
    handler: inlineFunction(stack, 'Handler'),
    authorizer: inlineFunction(stack, 'Authorizer'),
    ...props,
  });
  return { stack, ws };
};
const stageOf = (template: Template) => resourcesOfType(template, 'AWS::ApiGatewayV2::Stage')[0]?.[1] ?? {};

describe('WebSocketApiConstruct', () => {
  it('lets the handler be invoked for every route and the authorizer on $connect', () => {
    // Arrange / Act
    const { stack } = build();

    // Assert
    const permissions = resourcesOfType(Template.fromStack(stack), 'AWS::Lambda::Permission');
    const sources = permissions.map(([, p]) => JSON.stringify(p.SourceArn));
    expect(permissions).toHaveLength(4);
    for (const key of ['$connect', '$disconnect', '$default']) expect(sources.some((s) => s.includes(`/*${key}`))).toBe(true);
  });

  it('exposes the management endpoint and the wss URL of the stage', () => {
    // Arrange
    const { stack, ws } = build();

    // Act
    const endpoint = stack.resolve(ws.managementEndpoint) as { 'Fn::Join': [string, unknown[]] };
    const url = stack.resolve(ws.url) as { 'Fn::Join': [string, unknown[]] };

    // Assert
    expect(endpoint['Fn::Join'][1][0]).toBe('https://');
    expect(endpoint['Fn::Join'][1].at(-1)).toBe('/v1');
    expect(url['Fn::Join'][1][0]).toBe('wss://');
  });

  it("grants ManageConnections on this stage's connections only", () => {
    // Arrange
    const { stack, ws } = build();
    const role = new iam.Role(stack, 'Pusher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    // Act
    ws.grantManageConnections(role);

    // Assert
    const [[, policy]] = resourcesOfType(Template.fromStack(stack), 'AWS::IAM::Policy') as [[string, Record<string, unknown>]];
    const [statement] = (policy.PolicyDocument as { Statement: { Action: string; Resource: unknown }[] }).Statement;
    expect(statement?.Action).toBe('execute-api:ManageConnections');
    expect(JSON.stringify(statement?.Resource)).toMatch(/\/v1\/\*\/@connections\/\*"\]\]\}$/);
  });

  it('serves the stage it is named', () => {
    // Arrange / Act
    const { stack } = build({ stageName: 'live' });

    // Assert
    expect(stageOf(Template.fromStack(stack)).StageName).toBe('live');
  });

  it('throttles the stage at the rate and burst it is given', () => {
    // Arrange / Act
    const { stack } = build({ throttlingRateLimit: 5, throttlingBurstLimit: 10 });

    // Assert
    expect(stageOf(Template.fromStack(stack)).DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
  });

  it('keeps access logs for the retention it is given', () => {
    // Arrange / Act
    const { stack } = build({ logRetention: logs.RetentionDays.ONE_WEEK });

    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('rejects a bad stage name and a burst below the rate, in one error', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(
      () =>
        new WebSocketApiConstruct(stack, 'Ws', {
          handler: inlineFunction(stack, 'H'),
          authorizer: inlineFunction(stack, 'A'),
          stageName: '',
          throttlingRateLimit: 10,
          throttlingBurstLimit: 5,
        }),
    );

    // Assert
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).conflicts).toEqual([
      expect.stringContaining('stageName'),
      expect.stringContaining('throttlingBurstLimit'),
    ]);
  });
});
