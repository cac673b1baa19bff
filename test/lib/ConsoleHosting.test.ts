import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { type App, RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CroniumStack, InvalidPropsError, PROJECT_ROOT, RestApiConstruct, WebSocketApiConstruct } from '../../lib';
import { ConsoleHosting, type ConsoleHostingProps } from '../../lib/ConsoleHosting';
import { cdkContext, inlineFunction, resourcesOfType, testApp, testStack, thrownBy } from './fixtures';

/** A console build as Vite lays it out, without running Vite. */
const fakeDist = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cronium-console-dist-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="/console/assets/app-1a2b.js"></script>');
  writeFileSync(path.join(dir, 'assets', 'app-1a2b.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'assets', 'app-3c4d.css'), 'body{}');
  return dir;
};
const dirs: string[] = [];
const dist = () => {
  const dir = fakeDist();
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const ref = (prefix: string) => ({ Ref: expect.stringMatching(new RegExp(`^${prefix}`)) });
const distributionDomain = { 'Fn::GetAtt': [expect.stringMatching(/^ConsoleDistribution/), 'DomainName'] };
/** `'https://<distribution domain>'`, as API Gateway takes a static header value. */
const quotedConsoleOrigin = { 'Fn::Join': ['', ["'https://", distributionDomain, "'"]] };
const apiHost = (api: string) => [
  { Ref: expect.stringMatching(new RegExp(`^${api}`)) },
  '.execute-api.',
  { Ref: 'AWS::Region' },
  '.',
  { Ref: 'AWS::URLSuffix' },
];

// One whole stack with the console, synthesized once.
let stack: CroniumStack;
let template: Template;
beforeAll(() => {
  stack = new CroniumStack(testApp(), 'Cronium', { console: { distDir: dist() } });
  template = Template.fromStack(stack);
});

const deployments = () => resourcesOfType(template, 'Custom::CDKBucketDeployment');
const deploymentTo = (prefix: string | undefined) => deployments().find(([, p]) => p.DestinationBucketKeyPrefix === prefix)?.[1];
const outdir = () => (stack.node.root as App).outdir;
/** The files a deployment's source holds: its asset as staged in the cloud assembly. */
const stagedFiles = (objectKey: string): string[] => {
  const dir = path.join(outdir(), `asset.${objectKey.replace(/\.zip$/, '')}`);
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
};

/** The one resource of a type (whose logical id starts with `prefix`). */
const single = (type: string, prefix = ''): [string, Record<string, unknown>] => {
  const found = resourcesOfType(template, type).filter(([id]) => id.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('ConsoleHosting bucket', () => {
  it('is private: all public access blocked, TLS only, S3-managed encryption, ACLs off', () => {
    // Arrange
    const [id, bucket] = single('AWS::S3::Bucket', 'ConsoleBucket');
    const policy = resourcesOfType(template, 'AWS::S3::BucketPolicy').find(
      ([, p]) => JSON.stringify(p.Bucket) === JSON.stringify({ Ref: id }),
    )![1];
    const statements = (policy.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;

    // Assert
    expect(bucket).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ OwnershipControls: bucket.OwnershipControls }),
    });
  });

  it('lets only this distribution read objects, through Origin Access Control', () => {
    // Arrange
    const [id] = single('AWS::S3::Bucket', 'ConsoleBucket');
    const policy = resourcesOfType(template, 'AWS::S3::BucketPolicy').find(
      ([, p]) => JSON.stringify(p.Bucket) === JSON.stringify({ Ref: id }),
    )![1];

    // Act
    const allows = (policy.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement.filter((s) => s.Effect === 'Allow');

    // Assert
    expect(allows).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudfront::',
                  { Ref: 'AWS::AccountId' },
                  ':distribution/',
                  ref('ConsoleDistribution'),
                ],
              ],
            },
          },
        },
      },
    ]);
  });
});

describe('ConsoleHosting distribution', () => {
  it('reaches the bucket through OAC, redirects HTTP to HTTPS and serves index.html at /', () => {
    // Arrange
    const [, props] = single('AWS::CloudFront::Distribution');
    const config = props.DistributionConfig as Record<string, unknown> & {
      DefaultCacheBehavior: Record<string, unknown>;
      CacheBehaviors: Array<Record<string, unknown>>;
      Origins: Array<Record<string, unknown>>;
    };

    // Assert
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.Origins).toEqual([
      expect.objectContaining({
        OriginAccessControlId: { 'Fn::GetAtt': [expect.stringMatching(/^ConsoleOriginAccessControl/), 'Id'] },
        S3OriginConfig: { OriginAccessIdentity: '' },
      }),
    ]);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior).toMatchObject({
        ViewerProtocolPolicy: 'redirect-to-https',
        AllowedMethods: ['GET', 'HEAD'],
        ResponseHeadersPolicyId: ref('ConsoleSecurityHeaders'),
      });
    }
    expect(config.Logging).toMatchObject({ Prefix: 'cloudfront/' });
  });

  it('serves the page at /console/ too, by a viewer-request rewrite on that one path', () => {
    // Arrange
    const [, props] = single('AWS::CloudFront::Distribution');
    const behaviors = (props.DistributionConfig as { CacheBehaviors: Array<Record<string, unknown>> }).CacheBehaviors;
    const [fnId, fn] = single('AWS::CloudFront::Function');

    // Act
    // CloudFront Functions are plain JavaScript: run this one on the request CloudFront would pass.
    const handler = runInNewContext(`${fn.FunctionCode as string}; handler`) as (e: { request: { uri: string } }) => { uri: string };

    // Assert
    expect(behaviors).toEqual([
      expect.objectContaining({
        PathPattern: 'console/',
        FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } }],
      }),
    ]);
    expect(handler({ request: { uri: '/console/' } }).uri).toBe('/console/index.html');
  });

  it('sends a strict CSP whose connect-src names the REST and WebSocket API origins, HSTS, nosniff, DENY and no-referrer', () => {
    // Arrange
    const [, props] = single('AWS::CloudFront::ResponseHeadersPolicy');
    const headers = (props.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, unknown> }).SecurityHeadersConfig;

    // Assert
    expect(headers.ContentSecurityPolicy).toEqual({
      Override: true,
      ContentSecurityPolicy: {
        'Fn::Join': [
          '',
          [
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' https://",
            ...apiHost('RestApi'),
            ' wss://',
            ...apiHost('WebSocketApi'),
            "; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          ],
        ],
      },
    });
    expect(headers).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
  });
});

describe('ConsoleHosting objects', () => {
  it('puts hashed assets under console/assets/ as immutable, and keeps old ones for open tabs', () => {
    // Arrange
    const assets = deploymentTo('console/assets/')!;

    // Assert
    expect(assets).toMatchObject({ Prune: false, SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' } });
    expect(stagedFiles((assets.SourceObjectKeys as string[])[0]!)).toEqual(['app-1a2b.js', 'app-3c4d.css']);
  });

  it('puts index.html at the root and at console/index.html, and config.json beside it, all no-cache', () => {
    // Arrange
    const page = deploymentTo('console/')!;
    const root = deploymentTo(undefined)!;
    const [pageKey, configKey] = page.SourceObjectKeys as string[];

    // Assert
    expect(deployments()).toHaveLength(3);
    expect(page).toMatchObject({ Prune: true, Exclude: ['assets/*'], SystemMetadata: { 'cache-control': 'no-cache' } });
    expect(root).toMatchObject({ Prune: false, SourceObjectKeys: [pageKey], SystemMetadata: { 'cache-control': 'no-cache' } });
    expect(stagedFiles(pageKey!)).toEqual(['index.html']);
    expect(stagedFiles(configKey!)).toEqual(['config.json']);
  });

  it("writes config.json with the deployment's REST stage URL (no trailing slash) and WebSocket URL", () => {
    // Arrange
    const page = deploymentTo('console/')!;
    const configKey = (page.SourceObjectKeys as string[])[1]!;
    const markers = (page.SourceMarkers as Array<Record<string, unknown>>)[1]!;

    // Act
    const raw = readFileSync(path.join(outdir(), `asset.${configKey.replace(/\.zip$/, '')}`, 'config.json'), 'utf8');
    // Each token is a marker the deployment replaces with its value: here, with the logical id it names.
    const config = JSON.parse(raw.replace(/<<marker:0xbaba:\d+>>/g, (m) => (markers[m] as { Ref: string }).Ref)) as Record<string, string>;

    // Assert
    expect(Object.keys(config)).toEqual(['apiUrl', 'wsUrl']);
    expect(config.apiUrl).toMatch(/^https:\/\/RestApi\w+\.execute-api\.AWS::Region\.AWS::URLSuffix\/RestApiDeploymentStagev1\w+$/);
    expect(config.wsUrl).toMatch(/^wss:\/\/WebSocketApi\w+\.execute-api\.AWS::Region\.AWS::URLSuffix\/v1$/);
  });
});

describe('CroniumStack with the console', () => {
  it('outputs the console URL', () => {
    // Assert
    expect(template.findOutputs('ConsoleUrl')).toEqual({
      ConsoleUrl: { Description: expect.any(String), Value: { 'Fn::Join': ['', ['https://', distributionDomain, '/']] } },
    });
  });

  it("answers the CORS preflight on every REST resource for the console's origin only, without the authorizer", () => {
    // Arrange
    const methods = resourcesOfType(template, 'AWS::ApiGateway::Method');

    // Act
    const preflights = methods.filter(([, p]) => p.HttpMethod === 'OPTIONS');
    const resourcesWithMethods = new Set(methods.map(([, p]) => JSON.stringify(p.ResourceId)));

    // Assert
    expect(preflights).toHaveLength(resourcesWithMethods.size);
    for (const [, preflight] of preflights) {
      expect(preflight).toMatchObject({ AuthorizationType: 'NONE', Integration: { Type: 'MOCK' } });
      const headers = (preflight.Integration as { IntegrationResponses: Array<{ ResponseParameters: Record<string, unknown> }> })
        .IntegrationResponses[0]!.ResponseParameters;
      expect(headers).toEqual({
        'method.response.header.Access-Control-Allow-Origin': quotedConsoleOrigin,
        'method.response.header.Access-Control-Allow-Methods': "'GET,POST,PUT,PATCH,DELETE,OPTIONS'",
        'method.response.header.Access-Control-Allow-Headers': "'Authorization,Content-Type'",
        'method.response.header.Access-Control-Max-Age': "'7200'",
        'method.response.header.Vary': "'Origin'",
      });
    }
  });

  it("puts the console's origin on API Gateway's own error responses, any 4xx included", () => {
    // Arrange
    const responses = resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse');

    // Act
    const types = responses.map(([, p]) => p.ResponseType);

    // Assert
    expect(types).toEqual(expect.arrayContaining(['UNAUTHORIZED', 'ACCESS_DENIED', 'DEFAULT_4XX', 'DEFAULT_5XX']));
    for (const [, response] of responses) {
      expect(response.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Access-Control-Allow-Origin': quotedConsoleOrigin,
        'gatewayresponse.header.Vary': "'Origin'",
      });
    }
    // The 4xx default keeps API Gateway's own status and body.
    const default4xx = responses.find(([, p]) => p.ResponseType === 'DEFAULT_4XX')![1];
    expect([default4xx.StatusCode, default4xx.ResponseTemplates]).toEqual([undefined, undefined]);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/Access-Control-Allow-Origin":"'\*'/);
  });

  it("gives the REST function alone the console's origin for its own responses", () => {
    // Arrange
    const envs = resourcesOfType(template, 'AWS::Lambda::Function').map(
      ([id, p]) => [id, (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}] as const,
    );

    // Act
    const withOrigin = envs.filter(([, v]) => 'CRONIUM_CONSOLE_ORIGIN' in v);

    // Assert
    expect(withOrigin.map(([id]) => id)).toEqual([expect.stringMatching(/^RestFunction/)]);
    expect(withOrigin[0]![1].CRONIUM_CONSOLE_ORIGIN).toEqual({ 'Fn::Join': ['', ['https://', distributionDomain]] });
  });

  it('passes cdk-nag AwsSolutionsChecks and synthesizes without CDK warnings but the unpinned image bases', () => {
    // Arrange
    const checks = new AwsSolutionsChecks(undefined, { verbose: true });

    // Act
    const report = checks.validateScope(stack);
    const annotations = Annotations.fromStack(stack);

    // Assert
    expect(
      report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
    const problems = [...annotations.findError('*', Match.anyValue()), ...annotations.findWarning('*', Match.anyValue())];
    // No base is given here, so the runtime images build FROM tags (test/lib/imageBasePinning.test.ts); nothing else warns.
    const unpinned = (p: (typeof problems)[number]) => String(p.entry.data).includes('[ack: cronium:imageBaseNotPinned]');
    expect(problems.filter((p) => !unpinned(p)).map((p) => `${p.id}: ${JSON.stringify(p.entry.data)}`)).toEqual([]);
    expect(problems.filter(unpinned)).toHaveLength(3);
  });
});

describe('ConsoleHosting props', () => {
  const build = (props: Partial<ConsoleHostingProps> = {}) => {
    const s = testStack();
    const rest = new RestApiConstruct(s, 'Rest', { handler: inlineFunction(s, 'Handler'), authorizer: inlineFunction(s, 'Authorizer') });
    const ws = new WebSocketApiConstruct(s, 'Ws', {
      handler: inlineFunction(s, 'WsHandler'),
      authorizer: inlineFunction(s, 'WsAuthorizer'),
    });
    const hosting = new ConsoleHosting(s, 'Console', { restApi: rest.api, webSocketStage: ws.stage, distDir: dist(), ...props });
    return { stack: s, hosting };
  };

  it('refuses a build directory without index.html, saying how to build it or leave it out', () => {
    // Arrange
    const empty = mkdtempSync(path.join(tmpdir(), 'cronium-console-empty-'));
    dirs.push(empty);

    // Act
    const error = thrownBy(() => build({ distDir: empty, logExpiration: undefined }));

    // Assert
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).conflicts).toEqual([
      expect.stringMatching(/^distDir .* has no index\.html: run `npm run build:console`.*cronium:console=false/),
    ]);
  });

  it('deletes both buckets and their objects on a destroy when asked, and retains them by default', () => {
    // Arrange
    const retained = Template.fromStack(build().stack);
    const destroyed = Template.fromStack(build({ removalPolicy: RemovalPolicy.DESTROY }).stack);

    // Act
    const policies = (t: Template) =>
      resourcesOfType(t, 'AWS::S3::Bucket').map(
        ([id]) => (t.toJSON() as { Resources: Record<string, { DeletionPolicy?: string }> }).Resources[id]!.DeletionPolicy,
      );

    // Assert
    expect(policies(retained)).toEqual(['Retain', 'Retain']);
    expect(policies(destroyed)).toEqual(['Delete', 'Delete']);
    expect(Object.keys(destroyed.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(2);
    expect(Object.keys(retained.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(0);
  });
});

describe('the cronium:console context flag', () => {
  it('leaves the console, its CORS and its output out of the app with -c cronium:console=false', { timeout: 180_000 }, async () => {
    // Arrange
    const outdir = mkdtempSync(path.join(tmpdir(), 'cronium-app-'));
    dirs.push(outdir);
    const context = { ...cdkContext(), 'cronium:console': 'false', [cxapi.BUNDLING_STACKS]: [] };

    // Act
    await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'bin/app.ts')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
    });
    const synthesized = JSON.parse(readFileSync(path.join(outdir, 'Cronium.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
      Outputs: Record<string, unknown>;
    };
    const types = Object.values(synthesized.Resources).map((r) => r.Type);

    // Assert
    expect(types).not.toContain('AWS::CloudFront::Distribution');
    expect(types).not.toContain('Custom::CDKBucketDeployment');
    expect(Object.values(synthesized.Resources).filter((r) => r.Properties?.HttpMethod === 'OPTIONS')).toEqual([]);
    expect(JSON.stringify(synthesized)).not.toContain('Access-Control-Allow-Origin');
    expect(JSON.stringify(synthesized)).not.toContain('CRONIUM_CONSOLE_ORIGIN');
    expect(Object.keys(synthesized.Outputs)).not.toContain('ConsoleUrl');
    expect(Object.keys(synthesized.Outputs)).toContain('RestApiUrl');
  });
});
