import { Stack } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeNag } from './acknowledgeNag';
import { throwIfConflicts } from './InvalidPropsError';

/** Where the API key travels on `$connect`: browsers cannot set headers on a WebSocket. */
export const WEBSOCKET_IDENTITY_SOURCE = 'route.request.querystring.token';

/** Props of {@link WebSocketApiConstruct}. */
export interface WebSocketApiConstructProps {
  /** The WebSocket handler: `$connect`, `$disconnect` and `$default`. */
  readonly handler: lambda.IFunction;
  /** The REQUEST authorizer run on `$connect`. */
  readonly authorizer: lambda.IFunction;
  /**
   * Stage name, part of the URL (letters, digits, `-`, `_`).
   * @default 'v1'
   */
  readonly stageName?: string;
  /**
   * Steady-state messages per second across the stage.
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Messages the stage takes in a burst; at least `throttlingRateLimit`.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Retention of the access log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The WebSocket API for live logs: a Lambda authorizer on `$connect` (API key in `?token=`), one
 * handler for every route, an auto-deployed, throttled stage with JSON access logs.
 *
 * API Gateway writes those logs through the account's CloudWatch role: make the stage depend on the
 * `CfnAccount` that sets it (`RestApiConstruct.cloudWatchAccount`).
 */
export class WebSocketApiConstruct extends Construct {
  public readonly api: apigwv2.WebSocketApi;
  public readonly stage: apigwv2.WebSocketStage;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly connectRoute: apigwv2.WebSocketRoute;
  public readonly disconnectRoute: apigwv2.WebSocketRoute;
  public readonly defaultRoute: apigwv2.WebSocketRoute;

  constructor(scope: Construct, id: string, props: WebSocketApiConstructProps) {
    super(scope, id);
    const stageName = props.stageName ?? 'v1';
    const rateLimit = props.throttlingRateLimit ?? 50;
    const burstLimit = props.throttlingBurstLimit ?? 100;
    const conflicts: string[] = [];
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) conflicts.push(`stageName ${JSON.stringify(stageName)} must be 1–128 of [A-Za-z0-9_-]`);
    if (!(rateLimit > 0)) conflicts.push(`throttlingRateLimit must be positive, got ${rateLimit}`);
    if (!Number.isInteger(burstLimit) || burstLimit < 1)
      conflicts.push(`throttlingBurstLimit must be a positive integer, got ${burstLimit}`);
    else if (burstLimit < rateLimit)
      conflicts.push(`throttlingBurstLimit (${burstLimit}) below throttlingRateLimit (${rateLimit}) caps the rate at the burst`);
    throwIfConflicts('WebSocketApiConstruct', conflicts);

    const integration = new WebSocketLambdaIntegration('Handler', props.handler);
    this.api = new apigwv2.WebSocketApi(this, 'Api', { description: 'Cronium live logs and job status' });
    this.connectRoute = this.api.addRoute('$connect', {
      integration,
      authorizer: new WebSocketLambdaAuthorizer('Authorizer', props.authorizer, {
        identitySource: [WEBSOCKET_IDENTITY_SOURCE],
      }),
    });
    this.disconnectRoute = this.api.addRoute('$disconnect', { integration });
    this.defaultRoute = this.api.addRoute('$default', { integration });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName,
      autoDeploy: true,
      throttle: { rateLimit, burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            ip: AccessLogField.contextIdentitySourceIp(),
            requestTime: AccessLogField.contextRequestTime(),
            eventType: AccessLogField.contextEventType(),
            routeKey: AccessLogField.contextRouteKey(),
            connectionId: AccessLogField.contextConnectionId(),
            status: AccessLogField.contextStatus(),
            error: AccessLogField.contextErrorMessage(),
            authorizerError: AccessLogField.contextAuthorizerError(),
            integrationError: AccessLogField.contextIntegrationErrorMessage(),
          }),
        ),
      },
    });

    for (const route of [this.disconnectRoute, this.defaultRoute]) {
      acknowledgeNag(
        route,
        'AwsSolutions-APIG4',
        'API Gateway runs WebSocket authorizers on $connect only; this route serves a connection that ' +
          '$connect already authorized, and the handler scopes it to the tenant stored with the connection.',
      );
    }
  }

  /** `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`, for `CRONIUM_WS_ENDPOINT`. */
  get managementEndpoint(): string {
    return this.stage.callbackUrl;
  }

  /** The `wss://` URL clients connect to. */
  get url(): string {
    return this.stage.url;
  }

  /**
   * Lets `grantee` push to and drop connections of this stage (`execute-api:ManageConnections`).
   * Connection ids are only known at run time, hence the `@connections/*` wildcard.
   */
  grantManageConnections(grantee: iam.IGrantable & Construct): iam.Grant {
    const apiId = Stack.of(this).getLogicalId(this.api.node.defaultChild as apigwv2.CfnApi);
    acknowledgeNag(
      grantee,
      'AwsSolutions-IAM5',
      'Connection ids exist only at run time: the grant covers every @connections/{id} of this one ' +
        'WebSocket API stage and nothing else.',
      [`Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/${this.stage.stageName}/*/@connections/*`],
    );
    return this.stage.grantManagementApiAccess(grantee);
  }
}
