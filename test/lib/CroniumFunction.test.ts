import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { CroniumFunction, InvalidPropsError, type CroniumFunctionProps } from '../../lib';
import { acknowledgedRules, resourcesOfType, testStack, thrownBy } from './fixtures';

// Every test bundles the same entry with the same options: CDK bundles it once per test file.
const ENTRY = 'lambdas/handlers/authorizer.ts';

const synth = (props: Partial<CroniumFunctionProps> = {}) => {
  const stack = testStack({ bundle: true });
  const fn = new CroniumFunction(stack, 'Fn', { entry: ENTRY, ...props });
  const template = Template.fromStack(stack);
  const [[, lambda]] = resourcesOfType(template, 'AWS::Lambda::Function') as [[string, Record<string, unknown>]];
  return { stack, fn, template, lambda };
};

describe('CroniumFunction', () => {
  it('defaults to nodejs22.x on ARM64, 512 MiB, 30 s, active tracing and source maps in stack traces', () => {
    // Arrange / Act
    const { lambda, template } = synth();

    // Assert
    expect(lambda).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 30,
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('bundles locally to minified ESM with a require shim and a source map', () => {
    // Arrange
    const { stack, lambda } = synth();
    const assetHash = ((lambda.Code as { S3Key: string }).S3Key ?? '').replace(/\.zip$/, '');

    // Act
    const assetDir = path.join(stack.node.root instanceof App ? stack.node.root.outdir : '', `asset.${assetHash}`);
    const files = readdirSync(assetDir).sort();
    const code = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');

    // Assert
    expect(files).toEqual(['index.mjs', 'index.mjs.map']);
    expect(code.startsWith("import { createRequire as __croniumCreateRequire } from 'node:module';")).toBe(true);
    expect(code).toContain('const require = __croniumCreateRequire(import.meta.url);');
    expect(code).toMatch(/export\s*\{[^}]*handler/);
    // Minified: lines run to thousands of characters (the few breaks left are inside string literals).
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
  });

  it('copies the runtime helpers into the bundle as helpers/ when asked (the ssh launcher reads /var/task/helpers)', () => {
    // Arrange
    const { stack, lambda } = synth({ runtimeHelpers: true });
    const assetHash = ((lambda.Code as { S3Key: string }).S3Key ?? '').replace(/\.zip$/, '');

    // Act
    const assetDir = path.join(stack.node.root instanceof App ? stack.node.root.outdir : '', `asset.${assetHash}`);

    // Assert
    expect(readdirSync(assetDir)).toContain('helpers');
    expect(readdirSync(path.join(assetDir, 'helpers'))).toEqual(expect.arrayContaining(['cronium.sh', 'cronium.py', 'node']));
    expect(readdirSync(path.join(assetDir, 'helpers', 'node'))).toContain('cronium.js');
  });

  it('logs to its own group and may write only there, without the AWS managed basic execution policy', () => {
    // Arrange / Act
    const { lambda, template } = synth();

    // Assert
    expect(lambda.LoggingConfig).toEqual({ LogGroup: { Ref: expect.stringMatching(/^FnLogGroup/) } });
    const [[, role]] = resourcesOfType(template, 'AWS::IAM::Role') as [[string, Record<string, unknown>]];
    expect(role.ManagedPolicyArns).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnLogGroup'), 'Arn'] },
          },
          { Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Effect: 'Allow', Resource: '*' },
        ],
      },
    });
  });

  it('sets the environment it is given next to NODE_OPTIONS', () => {
    // Arrange / Act
    const { lambda } = synth({ environment: { CRONIUM_TABLE: 'jobs' } });

    // Assert
    expect(lambda.Environment).toEqual({ Variables: { NODE_OPTIONS: '--enable-source-maps', CRONIUM_TABLE: 'jobs' } });
  });

  it('takes the timeout it is given', () => {
    // Arrange / Act
    const { lambda } = synth({ timeout: Duration.seconds(90) });

    // Assert
    expect(lambda.Timeout).toBe(90);
  });

  it('takes the memory size it is given', () => {
    // Arrange / Act
    const { lambda } = synth({ memorySize: 1024 });

    // Assert
    expect(lambda.MemorySize).toBe(1024);
  });

  it('keeps logs for the retention it is given', () => {
    // Arrange / Act
    const { template } = synth({ logRetention: logs.RetentionDays.ONE_WEEK });

    // Assert
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('takes the description it is given', () => {
    // Arrange / Act
    const { lambda } = synth({ description: 'the authorizer' });

    // Assert
    expect(lambda.Description).toBe('the authorizer');
  });

  it('acknowledges the runtime pin and the X-Ray wildcard on its own resources only', () => {
    // Arrange
    const { fn } = synth();

    // Act
    const onFunction = acknowledgedRules(fn.fn);
    const onRole = acknowledgedRules(fn.role);

    // Assert
    expect(onFunction).toEqual([expect.stringContaining('AwsSolutions-L1')]);
    expect(onRole).toEqual([expect.stringContaining('AwsSolutions-IAM5[Resource::*]')]);
  });

  it('rejects an entry that does not exist and one outside the repository', () => {
    // Arrange
    const stack = testStack();

    // Act
    const missing = thrownBy(() => new CroniumFunction(stack, 'Missing', { entry: 'lambdas/handlers/nope.ts' }));
    const outside = thrownBy(() => new CroniumFunction(stack, 'Outside', { entry: '../elsewhere/handler.ts' }));

    // Assert
    expect(missing).toBeInstanceOf(InvalidPropsError);
    expect((missing as InvalidPropsError).conflicts).toEqual([expect.stringContaining('does not exist')]);
    expect((outside as InvalidPropsError).conflicts).toEqual([expect.stringContaining('outside the repository')]);
  });

  it('rejects memory and timeout beyond what Lambda allows, in one error', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(() => new CroniumFunction(stack, 'Fn', { entry: ENTRY, memorySize: 64, timeout: Duration.minutes(16) }));

    // Assert
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringContaining('memorySize'), expect.stringContaining('timeout')]);
  });

  it('rejects environment names Lambda reserves', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(() => new CroniumFunction(stack, 'Fn', { entry: ENTRY, environment: { AWS_REGION: 'x', _HANDLER: 'y' } }));

    // Assert
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringMatching(/AWS_REGION, _HANDLER/)]);
  });
});
