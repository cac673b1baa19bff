import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { InvalidPropsError, RestApiConstruct, type RestApiConstructProps } from '../../lib';
import { acknowledgedRules, inlineFunction, resourcesOfType, testStack, thrownBy } from './fixtures';

const build = (props: Partial<RestApiConstructProps> = {}) => {
  const stack = testStack();
  const api = new RestApiConstruct(stack, 'Rest', {
    handler: inlineFunction(stack, 'Handler'),
    authorizer: inlineFunction(stack, 'Authorizer'),
    ...props,
  });
  return { stack, api, template: Template.fromStack(stack) };
};
const stageOf = (template: Template) => resourcesOfType(template, 'AWS::ApiGateway::Stage')[0]?.[1] ?? {};
const methodSettings = (template: Template) => (stageOf(template).MethodSettings as Record<string, unknown>[])[0];

describe('RestApiConstruct', () => {
  it("renders API Gateway's own errors in Cronium's shape", () => {
    // Arrange / Act
    const { template } = build();

    // Assert
    const responses = Object.fromEntries(resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse').map(([, p]) => [p.ResponseType, p]));
    expect(responses.UNAUTHORIZED).toMatchObject({
      StatusCode: '401',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" },
      ResponseTemplates: { 'application/json': '{"error":{"code":"unauthorized","message":"missing or invalid API key"}}' },
    });
    expect(responses.ACCESS_DENIED).toMatchObject({
      StatusCode: '403',
      ResponseTemplates: { 'application/json': '{"error":{"code":"forbidden","message":"not allowed for this API key"}}' },
    });
    expect(responses.MISSING_AUTHENTICATION_TOKEN).toMatchObject({ StatusCode: '404' });
    expect(responses.DEFAULT_5XX).toMatchObject({
      ResponseTemplates: { 'application/json': '{"error":{"code":"internal","message":"internal error"}}' },
    });
  });

  it('requires the proxy path parameter through a request validator on the authorized route', () => {
    // Arrange / Act
    const { template } = build();

    // Assert
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      RequestParameters: { 'method.request.path.proxy': true },
      RequestValidatorId: { Ref: Match.stringLikeRegexp('^RestRequestValidator') },
    });
  });

  it('serves the stage it is named', () => {
    // Arrange / Act
    const { template } = build({ stageName: 'prod' });

    // Assert
    expect(stageOf(template).StageName).toBe('prod');
  });

  it('throttles the stage at the rate and burst it is given', () => {
    // Arrange / Act
    const { template } = build({ throttlingRateLimit: 10, throttlingBurstLimit: 20 });

    // Assert
    expect(methodSettings(template)).toMatchObject({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
  });

  it('caches authorizer decisions for the TTL it is given', () => {
    // Arrange / Act
    const { template } = build({ authorizerCacheTtl: Duration.minutes(5) });

    // Assert
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 300 });
  });

  it('keeps access logs for the retention it is given', () => {
    // Arrange / Act
    const { template } = build({ logRetention: logs.RetentionDays.ONE_YEAR });

    // Assert
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('associates the web ACL it is given and then needs no WAF acknowledgment', () => {
    // Arrange
    const webAclArn = 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/cronium/abc';

    // Act
    const { template, api } = build({ webAclArn });

    // Assert
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: webAclArn });
    expect(acknowledgedRules(api.api.deploymentStage).filter((id) => id.includes('APIG3'))).toEqual([]);
  });

  it('acknowledges the missing web ACL when none is given', () => {
    // Arrange / Act
    const { template, api } = build();

    // Assert
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    expect(acknowledgedRules(api.api.deploymentStage)).toEqual([expect.stringContaining('AwsSolutions-APIG3')]);
  });

  it('rejects a burst below the rate', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(
      () =>
        new RestApiConstruct(stack, 'Rest', {
          handler: inlineFunction(stack, 'H'),
          authorizer: inlineFunction(stack, 'A'),
          throttlingRateLimit: 100,
          throttlingBurstLimit: 10,
        }),
    );

    // Assert
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringContaining('throttlingBurstLimit')]);
  });

  it('rejects a bad stage name and an authorizer cache over an hour, in one error', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(
      () =>
        new RestApiConstruct(stack, 'Rest', {
          handler: inlineFunction(stack, 'H'),
          authorizer: inlineFunction(stack, 'A'),
          stageName: 'v1/beta',
          authorizerCacheTtl: Duration.hours(2),
        }),
    );

    // Assert
    expect((error as InvalidPropsError).conflicts).toEqual([
      expect.stringContaining('stageName'),
      expect.stringContaining('authorizerCacheTtl'),
    ]);
  });
});
