import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeNag } from './acknowledgeNag';
import { throwIfConflicts } from './InvalidPropsError';

/** The repository root: handler entries are relative to it and bundling runs from it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** ESM output still meets CommonJS dependencies that call `require`: give them one. */
const REQUIRE_BANNER =
  "import { createRequire as __croniumCreateRequire } from 'node:module'; " + 'const require = __croniumCreateRequire(import.meta.url);';

/** Names Lambda sets itself and refuses in a function's configuration. */
const RESERVED_ENV = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

const esbuildInstalled = (): boolean => {
  try {
    createRequire(import.meta.url).resolve('esbuild/package.json');
    return true;
  } catch {
    return false;
  }
};

/** Props of {@link CroniumFunction}. */
export interface CroniumFunctionProps {
  /** Handler module relative to the repository root, exporting `handler`, e.g. `lambdas/handlers/rest.ts`. */
  readonly entry: string;
  /**
   * Environment variables of the function (`NODE_OPTIONS` defaults to `--enable-source-maps`).
   * @default none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Maximum run time of one invocation (at most 15 minutes).
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MiB (128–10240); CPU grows with it.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * How long the function's log group keeps logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Description of the function.
   * @default none
   */
  readonly description?: string;
  /**
   * Copies the runtime helpers (`runtime-images/helpers`: cronium.sh, cronium.py, node/) into the
   * bundle as `helpers/`, i.e. `/var/task/helpers`, where the ssh launcher reads them to upload into
   * each job's workspace (the function that runs ssh jobs needs them).
   * @default false
   */
  readonly runtimeHelpers?: boolean;
  /**
   * Runs the function in a VPC (its ENIs need AWSLambdaVPCAccessExecutionRole, added to the role):
   * for a function that must reach users' servers from fixed subnets with egress through NAT.
   * @default not in a VPC
   */
  readonly network?: {
    readonly vpc: ec2.IVpc;
    readonly subnets: ec2.SubnetSelection;
    readonly securityGroups: ec2.ISecurityGroup[];
  };
}

/**
 * A Cronium Lambda: Node.js 22 on ARM64, bundled locally by esbuild (never in Docker) to minified
 * ESM with source maps, X-Ray tracing on, logging to its own log group with a retention, and a role
 * that starts with nothing but writing to that log group.
 */
export class CroniumFunction extends Construct implements iam.IGrantable {
  public readonly fn: NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /** The function's role: grant to the construct so nag suppressions that come with a grant cover the role. */
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: CroniumFunctionProps) {
    super(scope, id);
    const entry = path.resolve(PROJECT_ROOT, props.entry);
    const memorySize = props.memorySize ?? 512;
    const timeout = props.timeout ?? Duration.seconds(30);
    const environment = { NODE_OPTIONS: '--enable-source-maps', ...props.environment };

    const conflicts: string[] = [];
    if (path.relative(PROJECT_ROOT, entry).startsWith('..')) conflicts.push(`entry ${props.entry} is outside the repository`);
    else if (!existsSync(entry)) conflicts.push(`entry ${props.entry} does not exist`);
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
      conflicts.push(`memorySize must be an integer from 128 to 10240 MiB, got ${memorySize}`);
    }
    if (timeout.toSeconds() < 1 || timeout.toSeconds() > 900) conflicts.push('timeout must be from 1 second to 15 minutes');
    const reserved = Object.keys(environment).filter((k) => RESERVED_ENV.has(k));
    if (reserved.length > 0) conflicts.push(`environment sets names Lambda reserves: ${reserved.join(', ')}`);
    if (!esbuildInstalled()) conflicts.push('esbuild is not installed: Cronium bundles locally, never in Docker');
    throwIfConflicts('CroniumFunction', conflicts);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole, which may create and write any log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Cronium ${id} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout,
      environment,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      ...(props.network ? { vpc: props.network.vpc, vpcSubnets: props.network.subnets, securityGroups: props.network.securityGroups } : {}),
      bundling: {
        format: OutputFormat.ESM,
        banner: REQUIRE_BANNER,
        mainFields: ['module', 'main'],
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
        // ssh2's native speed-ups are optional (it falls back to JavaScript when they fail to load),
        // and the ones built on this machine would not load on Lambda's ARM64 anyway.
        externalModules: ['@aws-sdk/*', '@smithy/*', 'cpu-features', '*.node'],
        ...(props.runtimeHelpers
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) => [
                  `cp -R "${path.join(inputDir, 'runtime-images', 'helpers')}" "${path.join(outputDir, 'helpers')}"`,
                ],
              },
            }
          : {}),
      },
    });

    if (props.network) {
      this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
      acknowledgeNag(
        this.role,
        'AwsSolutions-IAM4',
        'A function in a VPC must create, describe and delete its network interfaces (ec2:*NetworkInterface*, which take ' +
          'no resource-level scoping); AWSLambdaVPCAccessExecutionRole is the AWS managed policy for exactly that, and ' +
          'nothing else is granted through a managed policy.',
        ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
      );
    }
    this.grantPrincipal = this.role;
    acknowledgeNag(
      this.role,
      'AwsSolutions-IAM5',
      'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level ' +
        'permissions; test/lib asserts that X-Ray actions are the only ones granted on "*".',
      ['Resource::*'],
    );
    acknowledgeNag(
      this.fn,
      'AwsSolutions-L1',
      'Pinned to nodejs22.x on purpose: package.json engines and the one-machine runtime are Node 22, so both ' +
        'runtimes run the same code; moving to a newer runtime is its own tested change.',
    );
  }
}
