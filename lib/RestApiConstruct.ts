import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ErrorCodes, ForbiddenError, UnauthorizedError } from '../lambdas/core/errors';
import { acknowledgeNag } from './acknowledgeNag';
import { throwIfConflicts } from './InvalidPropsError';

/** Cronium's error body, as handlers send it. */
const errorBody = (code: string, message: string): string => JSON.stringify({ error: { code, message } });

/** API Gateway's own errors in Cronium's shape, messages taken from the core errors so they cannot drift. */
const GatewayErrors: ReadonlyArray<{ type: apigw.ResponseType; status: string; body: string }> = [
  { type: apigw.ResponseType.UNAUTHORIZED, status: '401', body: errorBody(ErrorCodes.unauthorized, new UnauthorizedError().message) },
  { type: apigw.ResponseType.ACCESS_DENIED, status: '403', body: errorBody(ErrorCodes.forbidden, new ForbiddenError().message) },
  // The public paths have GET only and / has no method: API Gateway calls such requests "missing token".
  { type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, status: '404', body: errorBody(ErrorCodes.notFound, 'no such route') },
  {
    type: apigw.ResponseType.BAD_REQUEST_PARAMETERS,
    status: '400',
    body: errorBody(ErrorCodes.invalidInput, 'request parameters failed validation'),
  },
  { type: apigw.ResponseType.BAD_REQUEST_BODY, status: '400', body: errorBody(ErrorCodes.invalidInput, 'request body failed validation') },
  { type: apigw.ResponseType.AUTHORIZER_FAILURE, status: '500', body: errorBody(ErrorCodes.internal, 'internal error') },
  { type: apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, status: '500', body: errorBody(ErrorCodes.internal, 'internal error') },
  { type: apigw.ResponseType.DEFAULT_5XX, status: '500', body: errorBody(ErrorCodes.internal, 'internal error') },
];

const gatewayHeaders = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [`gatewayresponse.header.${name}`, value]));

/**
 * Paths served without an API key, each a GET method with no authorizer: the same list as the
 * REST handler's `PublicPaths` (lambdas/handlers/rest/healthRoutes.ts; a test holds them equal).
 */
export const PublicRestPaths = ['/live', '/ready', '/health', '/openapi.json'] as const;

/** Props of {@link RestApiConstruct}. */
export interface RestApiConstructProps {
  /** The REST handler: serves `/{proxy+}` (every method) and the public GETs ({@link PublicRestPaths}). */
  readonly handler: lambda.IFunction;
  /** The REQUEST authorizer; it reads `Authorization: Bearer <key>`. */
  readonly authorizer: lambda.IFunction;
  /**
   * Stage name, part of the URL (letters, digits, `-`, `_`).
   * @default 'v1'
   */
  readonly stageName?: string;
  /**
   * Steady-state requests per second across the stage.
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Requests the stage takes in a burst; at least `throttlingRateLimit`.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * How long API Gateway caches an authorizer decision per `Authorization` header (at most 1 hour).
   * With caching on, the authorizer's policy must cover every route, and a revoked key keeps working
   * until the entry expires. The authorizer Lambda also keeps keys it authenticated for
   * `CRONIUM_AUTH_CACHE_MS` (30 s by default), so a revoked key stops within this TTL plus that one.
   * @default Duration.seconds(0): no caching here; a revoked key stops within `CRONIUM_AUTH_CACHE_MS`
   */
  readonly authorizerCacheTtl?: Duration;
  /**
   * Retention of the access log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * ARN of an AWS WAFv2 web ACL (REGIONAL scope) to associate with the stage.
   * @default none
   */
  readonly webAclArn?: string;
}

/**
 * The REST API: `/{proxy+}` (ANY) behind a Lambda REQUEST authorizer, `GET /live`, `/ready`, `/health` and `/openapi.json` open, JSON access
 * logs, execution logging at ERROR, X-Ray, stage throttling, and API Gateway's own errors rendered in
 * Cronium's `{"error":{"code","message"}}` shape.
 *
 * Bodies are validated by zod in the handler (one proxy route carries every shape); API Gateway's
 * request validator checks the request parameters it can know about.
 */
export class RestApiConstruct extends Construct {
  public readonly api: apigw.RestApi;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly requestAuthorizer: apigw.RequestAuthorizer;
  /** `ANY /{proxy+}`, authorized. */
  public readonly proxyMethod: apigw.Method;
  /** `GET /health`, open. */
  public readonly healthMethod: apigw.Method;
  /** Every open `GET` of {@link PublicRestPaths}, by path. */
  public readonly publicMethods: Record<(typeof PublicRestPaths)[number], apigw.Method>;
  /**
   * The account-level setting that lets API Gateway write to CloudWatch Logs; any API stage that logs
   * (the WebSocket stage too) must be created after it.
   */
  public readonly cloudWatchAccount: apigw.CfnAccount;
  /** Cronium's own error responses, so {@link allowOrigin} can add CORS headers to them. */
  private readonly gatewayResponses: apigw.GatewayResponse[] = [];
  private corsOrigin?: string;

  constructor(scope: Construct, id: string, props: RestApiConstructProps) {
    super(scope, id);
    const stageName = props.stageName ?? 'v1';
    const rate = props.throttlingRateLimit ?? 50;
    const burst = props.throttlingBurstLimit ?? 100;
    const cacheTtl = props.authorizerCacheTtl ?? Duration.seconds(0);
    const conflicts: string[] = [];
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) conflicts.push(`stageName ${JSON.stringify(stageName)} must be 1–128 of [A-Za-z0-9_-]`);
    if (!(rate > 0)) conflicts.push(`throttlingRateLimit must be positive, got ${rate}`);
    if (!Number.isInteger(burst) || burst < 1) conflicts.push(`throttlingBurstLimit must be a positive integer, got ${burst}`);
    else if (burst < rate) conflicts.push(`throttlingBurstLimit (${burst}) below throttlingRateLimit (${rate}) caps the rate at the burst`);
    if (cacheTtl.toSeconds() > 3600) conflicts.push('authorizerCacheTtl must be at most 1 hour');
    throwIfConflicts('RestApiConstruct', conflicts);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    this.api = new apigw.RestApi(this, 'Api', {
      description: 'Cronium REST API',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: true,
      deployOptions: {
        stageName,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
        // ERROR, not INFO, and never data tracing: execution logs must not carry API keys or bodies.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: rate,
        throttlingBurstLimit: burst,
      },
    });
    const account = this.api.node.tryFindChild('Account');
    if (!(account instanceof apigw.CfnAccount)) throw new Error('RestApi did not create its CloudWatch account setting');
    this.cloudWatchAccount = account;

    this.requestAuthorizer = new apigw.RequestAuthorizer(this, 'Authorizer', {
      handler: props.authorizer,
      identitySources: [apigw.IdentitySource.header('Authorization')],
      resultsCacheTtl: cacheTtl,
    });
    const validator = new apigw.RequestValidator(this, 'RequestValidator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const integration = new apigw.LambdaIntegration(props.handler, { allowTestInvoke: false });

    const proxy = this.api.root.addResource('{proxy+}');
    this.proxyMethod = proxy.addMethod('ANY', integration, {
      authorizer: this.requestAuthorizer,
      authorizationType: apigw.AuthorizationType.CUSTOM,
      requestValidator: validator,
      requestParameters: { 'method.request.path.proxy': true },
    });
    this.publicMethods = Object.fromEntries(
      PublicRestPaths.map((path) => [
        path,
        this.api.root.addResource(path.slice(1)).addMethod('GET', integration, { authorizationType: apigw.AuthorizationType.NONE }),
      ]),
    ) as RestApiConstruct['publicMethods'];
    this.healthMethod = this.publicMethods['/health'];

    for (const e of GatewayErrors) {
      const response = this.api.addGatewayResponse(`${e.type.responseType}Response`, {
        type: e.type,
        statusCode: e.status,
        responseHeaders: {
          'Content-Type': "'application/json'",
          ...(e.type === apigw.ResponseType.UNAUTHORIZED ? { 'WWW-Authenticate': "'Bearer'" } : {}),
        },
        templates: { 'application/json': e.body },
      });
      this.gatewayResponses.push(response);
    }

    if (props.webAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAcl', {
        resourceArn: this.api.deploymentStage.stageArn,
        webAclArn: props.webAclArn,
      });
    } else {
      acknowledgeNag(
        this.api.deploymentStage,
        'AwsSolutions-APIG3',
        'No web ACL by default (one costs per month): every route but /health needs an API key checked by the ' +
          'Lambda authorizer and the stage is throttled. Pass webAclArn to associate an AWS WAFv2 web ACL.',
      );
    }
    this.suppressNagFindings();
  }

  /**
   * Lets a page on `origin` (`https://host`, no path) call the API from a browser: a preflight
   * `OPTIONS` on every resource answered by API Gateway itself (a preflight carries no API key, so it
   * cannot pass the authorizer), and `Access-Control-Allow-Origin: origin` on API Gateway's own error
   * responses (the 4xx and 5xx ones, throttling included). The handler must send the same header on
   * its own responses (`CRONIUM_CONSOLE_ORIGIN`). Only this origin is ever allowed, never `*`.
   * @throws InvalidPropsError when an origin was already allowed.
   */
  allowOrigin(origin: string): void {
    throwIfConflicts(
      'RestApiConstruct',
      this.corsOrigin === undefined ? [] : ['allowOrigin takes one origin, and one was already allowed'],
    );
    this.corsOrigin = origin;
    const headers = { 'Access-Control-Allow-Origin': `'${origin}'`, Vary: "'Origin'" };
    for (const resource of [this.proxyMethod.resource, ...Object.values(this.publicMethods).map((m) => m.resource)]) {
      const preflight = resource.addCorsPreflight({
        allowOrigins: [origin],
        allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        allowHeaders: ['Authorization', 'Content-Type'],
        maxAge: Duration.hours(2),
      });
      const reason =
        'The CORS preflight: browsers send it without credentials, so it cannot carry the API key. API Gateway answers ' +
        'it itself (no integration) with the console origin only.';
      acknowledgeNag(preflight, 'AwsSolutions-APIG4', reason);
      acknowledgeNag(preflight, 'AwsSolutions-COG4', reason);
    }
    for (const response of this.gatewayResponses) {
      const cfn = response.node.defaultChild as apigw.CfnGatewayResponse;
      cfn.responseParameters = { ...(cfn.responseParameters as Record<string, string>), ...gatewayHeaders(headers) };
    }
    // Every other 4xx API Gateway answers (throttling, too large, …) keeps its body and gains the header.
    this.api.addGatewayResponse('DEFAULT_4XXResponse', { type: apigw.ResponseType.DEFAULT_4XX, responseHeaders: headers });
    // Gateway responses take effect with a new deployment.
    this.api.latestDeployment?.addToLogicalId({ corsOrigin: origin });
  }

  private suppressNagFindings(): void {
    const openReason =
      'GET /live, /ready and /health are the probes and /openapi.json the API contract: they must answer without a key ' +
      'and return no secret, path or tenant data.';
    for (const method of Object.values(this.publicMethods)) {
      acknowledgeNag(method, 'AwsSolutions-APIG4', openReason);
      acknowledgeNag(method, 'AwsSolutions-COG4', openReason);
    }
    acknowledgeNag(
      this.proxyMethod,
      'AwsSolutions-COG4',
      'Callers are tenants holding API keys, not Cognito users: the Lambda REQUEST authorizer checks the key ' +
        'on every request (docs/security.md).',
    );
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      acknowledgeNag(
        cloudWatchRole,
        'AwsSolutions-IAM4',
        'The account-level role API Gateway uses to write execution and access logs; ' +
          'AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for it, and API Gateway names the ' +
          'log groups itself.',
        ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
      );
    }
  }
}
