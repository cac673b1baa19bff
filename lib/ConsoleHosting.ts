import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Aws, DefaultStackSynthesizer, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeNag } from './acknowledgeNag';
import { PROJECT_ROOT } from './CroniumFunction';
import { throwIfConflicts } from './InvalidPropsError';

/** Props of {@link ConsoleHosting}. */
export interface ConsoleHostingProps {
  /** The REST API the console calls: its origin goes in `connect-src`, its stage URL in `config.json`. */
  readonly restApi: apigw.RestApi;
  /** The WebSocket API stage the console follows logs over: likewise. */
  readonly webSocketStage: apigwv2.WebSocketStage;
  /**
   * The console's build (`npm run build:console`): `index.html` and hashed files under `assets/`;
   * relative paths are from the repository root.
   * @default 'console/dist'
   */
  readonly distDir?: string;
  /**
   * Removal policy of the console bucket and the access-log bucket. With DESTROY their objects are
   * deleted too, so a destroy succeeds.
   * @default RemovalPolicy.RETAIN, as the stack's other buckets
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How long CloudFront's and S3's access logs are kept.
   * @default Duration.days(30), as the API access logs
   */
  readonly logExpiration?: Duration;
}

/** Hashed file names: a year, never revalidated. The same header the local gateway sends. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The page and `config.json`: revalidated on every load, so a deploy is seen at once. */
const NO_CACHE = 'no-cache';

/**
 * `/console/` is the page too (the local gateway serves it there). CloudFront's default root object
 * covers `/` only, and S3 holds no object named `console/`, so this viewer-request function, attached
 * to that one path, names the object.
 */
const CONSOLE_INDEX_REWRITE = `function handler(event) {
  event.request.uri = '/console/index.html';
  return event.request;
}`;

/**
 * A name for a CloudFront resource that CloudFormation requires one for. CloudFront is global, so the
 * region is part of it (as CDK does for CloudFront functions): the same stack deploys in two regions.
 */
const regionalName = (scope: Construct, suffix: string, maxLength: number): string =>
  `${Aws.REGION}-${Names.uniqueResourceName(scope, { maxLength: maxLength - 'ap-southeast-5--'.length - suffix.length })}-${suffix}`;

/**
 * The web console on AWS: its build in a private S3 bucket, served by CloudFront through Origin
 * Access Control, HTTPS only, with a strict Content-Security-Policy whose `connect-src` names the REST
 * and WebSocket API origins. Object keys follow the URLs the local gateway serves: `index.html` (the
 * page at `/`), `console/index.html` (also at `/console/`), `console/assets/*` (immutable) and
 * `console/config.json`, written at deploy with the stack's real API URLs.
 *
 * The distribution depends only on the APIs' ids, never on their stages, deployments or functions, so
 * the REST API can allow {@link origin} for CORS without a dependency cycle.
 */
export class ConsoleHosting extends Construct {
  /** Holds the build; reachable only through {@link distribution}. */
  public readonly bucket: s3.Bucket;
  /** CloudFront's access logs (`cloudfront/`) and the console bucket's server access logs (`s3/`). */
  public readonly logBucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** The console's origin, `https://<distribution domain>`: the only origin the REST API allows. */
  public readonly origin: string;
  /** The console's URL, `https://<distribution domain>/`. */
  public readonly url: string;
  /** The Content-Security-Policy every response carries. */
  public readonly contentSecurityPolicy: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const distDir = path.resolve(PROJECT_ROOT, props.distDir ?? 'console/dist');
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logExpiration = props.logExpiration ?? Duration.days(30);
    const conflicts: string[] = [];
    if (!existsSync(path.join(distDir, 'index.html'))) {
      conflicts.push(`distDir ${distDir} has no index.html: run \`npm run build:console\` first, or deploy with -c cronium:console=false`);
    }
    const logDays = logExpiration.toDays({ integral: false });
    if (!Number.isInteger(logDays) || logDays < 1) {
      conflicts.push(`logExpiration must be a whole number of days, at least 1, got ${logExpiration.toHumanString()}`);
    }
    throwIfConflicts('ConsoleHosting', conflicts);
    const destroy = removalPolicy === RemovalPolicy.DESTROY;

    this.logBucket = new s3.Bucket(this, 'LogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs are delivered with an ACL grant, so this bucket keeps ACLs on.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: logExpiration }],
      removalPolicy,
      autoDeleteObjects: destroy,
    });
    acknowledgeNag(this.logBucket, 'AwsSolutions-S1', 'This is the access-log bucket: logging its own access would log the logging.');

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      publicReadAccess: false,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      removalPolicy,
      autoDeleteObjects: destroy,
    });

    const stack = Stack.of(this);
    const apiHost = (apiId: string) => `${apiId}.execute-api.${stack.region}.${Aws.URL_SUFFIX}`;
    // From the APIs' ids, not their stage URLs: a stage depends on its deployment, which depends on
    // the CORS preflight methods and gateway responses that name this distribution.
    const restOrigin = `https://${apiHost(props.restApi.restApiId)}`;
    const webSocketOrigin = `wss://${apiHost(props.webSocketStage.api.apiId)}`;
    this.contentSecurityPolicy = [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src 'self' ${restOrigin} ${webSocketOrigin}`,
      "manifest-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: regionalName(this, 'headers', 128),
      comment: 'Cronium web console: strict CSP and security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: this.contentSecurityPolicy, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    const behavior = {
      origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
        originAccessControl: new cloudfront.S3OriginAccessControl(this, 'OriginAccessControl', {
          originAccessControlName: regionalName(this, 'oac', 64),
          signing: cloudfront.Signing.SIGV4_ALWAYS,
        }),
      }),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      // Honours each object's Cache-Control: a year for hashed files, at most a second at the edge for no-cache ones.
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: this.responseHeadersPolicy,
      compress: true,
    } satisfies cloudfront.BehaviorOptions;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Cronium web console',
      defaultRootObject: 'index.html',
      defaultBehavior: behavior,
      additionalBehaviors: {
        // A path pattern without a wildcard matches that path only, so the function runs for /console/ alone.
        'console/': {
          ...behavior,
          functionAssociations: [
            {
              eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
              function: new cloudfront.Function(this, 'ConsoleIndex', {
                comment: 'Cronium web console: /console/ is the page',
                code: cloudfront.FunctionCode.fromInline(CONSOLE_INDEX_REWRITE),
                runtime: cloudfront.FunctionRuntime.JS_2_0,
              }),
            },
          ],
        },
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;

    // Old hashed files stay (prune off), so a tab opened before a deploy still loads its lazy chunks.
    const assets = new s3deploy.BucketDeployment(this, 'Assets', {
      sources: [s3deploy.Source.asset(path.join(distDir, 'assets'))],
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'console/assets/',
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString(IMMUTABLE)],
    });
    const page = s3deploy.Source.asset(distDir, { exclude: ['assets'] });
    new s3deploy.BucketDeployment(this, 'Page', {
      sources: [
        page,
        s3deploy.Source.jsonData('config.json', {
          apiUrl: `${restOrigin}/${props.restApi.deploymentStage.stageName}`,
          wsUrl: props.webSocketStage.url,
        }),
      ],
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'console/',
      // The filter applies to pruning too: this deployment never deletes the assets.
      exclude: ['assets/*'],
      cacheControl: [s3deploy.CacheControl.fromString(NO_CACHE)],
    });
    // The page at `/` is the same file, kept at the root for the default root object.
    new s3deploy.BucketDeployment(this, 'RootPage', {
      sources: [page],
      destinationBucket: this.bucket,
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString(NO_CACHE)],
    });

    this.acknowledgeNagFindings(assets);
  }

  private acknowledgeNagFindings(deployment: s3deploy.BucketDeployment): void {
    // The three deployments share CDK's one BucketDeployment function (a singleton per stack).
    const stack = Stack.of(this);
    const role = deployment.handlerRole;
    const handler = role.node.scope;
    if (!handler) throw new Error('BucketDeployment has no handler function');
    const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    const qualifier = stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    acknowledgeNag(
      role,
      'AwsSolutions-IAM4',
      'CDK’s BucketDeployment function role; the AWS managed basic execution policy only lets it write its own logs.',
      ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    );
    acknowledgeNag(
      role,
      'AwsSolutions-IAM5',
      'CDK’s BucketDeployment grants: read the deployment’s asset zip from the bootstrap asset bucket and sync it into ' +
        'the console bucket (list, put, delete). Object names are the build’s, known only at deploy.',
      [
        'Action::s3:GetBucket*',
        'Action::s3:GetObject*',
        'Action::s3:List*',
        'Action::s3:Abort*',
        'Action::s3:DeleteObject*',
        `Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*`,
        `Resource::<${bucketId}.Arn>/*`,
      ],
    );
    acknowledgeNag(
      handler,
      'AwsSolutions-L1',
      'CDK’s BucketDeployment function: CDK pins its Python runtime with the AWS CLI layer it ships; it runs only during a deploy.',
    );
    acknowledgeNag(
      this.distribution,
      'AwsSolutions-CFR1',
      'The console is a static page for operators wherever they are; every API call it makes needs an API key.',
    );
    acknowledgeNag(
      this.distribution,
      'AwsSolutions-CFR2',
      'The distribution serves only the static files of the console, which hold no data; a web ACL costs per month ' +
        '(the REST API takes one through webAclArn).',
    );
    acknowledgeNag(
      this.distribution,
      'AwsSolutions-CFR4',
      'No custom domain: the *.cloudfront.net name is served with CloudFront’s default certificate, whose security ' +
        'policy CloudFront fixes (a minimum TLS version needs a custom domain and its ACM certificate). Viewers are ' +
        'redirected to HTTPS and HSTS is sent; browsers negotiate TLS 1.2 or 1.3.',
    );
  }
}
