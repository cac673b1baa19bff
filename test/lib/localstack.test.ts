import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CroniumStack, PROJECT_ROOT } from '../../lib';
import { resourcesOfType, testApp } from './fixtures';

const COMPOSE = readFileSync(path.join(PROJECT_ROOT, 'docker-compose.localstack.yml'), 'utf8');

/** LocalStack's name (its SERVICES list) for each CloudFormation namespace and IAM action prefix the stack may use. */
const LOCALSTACK_NAME: Record<string, string> = {
  // CloudFormation resource namespaces (AWS::<Namespace>::…)
  ApiGateway: 'apigateway',
  ApiGatewayV2: 'apigatewayv2',
  CloudWatch: 'cloudwatch',
  DynamoDB: 'dynamodb',
  EC2: 'ec2',
  ECR: 'ecr',
  ECS: 'ecs',
  Events: 'events',
  IAM: 'iam',
  KMS: 'kms',
  Lambda: 'lambda',
  Logs: 'logs',
  S3: 's3',
  SQS: 'sqs',
  Scheduler: 'scheduler',
  SSM: 'ssm',
  // IAM action prefixes (what the functions call)
  dynamodb: 'dynamodb',
  ec2: 'ec2',
  ecr: 'ecr',
  ecs: 'ecs',
  // PostToConnection: LocalStack serves the management API with API Gateway.
  'execute-api': 'apigateway',
  events: 'events',
  iam: 'iam',
  kms: 'kms',
  lambda: 'lambda',
  logs: 'logs',
  s3: 's3',
  scheduler: 'scheduler',
  sqs: 'sqs',
  sts: 'sts',
  xray: 'xray',
};

/**
 * What `cdklocal bootstrap` and `cdklocal deploy` call besides the stack's own services: CloudFormation
 * itself, the bootstrap version parameter (SSM), the caller's identity (STS), and the bootstrap's asset
 * bucket, image repository and roles (S3, ECR, IAM).
 */
const DEPLOY_TOOLING = ['cloudformation', 'ssm', 'sts', 's3', 'ecr', 'iam'];

/** Every value of every `Action` in the template, however deep. */
const actionsIn = (node: unknown, into: string[] = []): string[] => {
  if (Array.isArray(node)) for (const n of node) actionsIn(n, into);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'Action') into.push(...[v].flat().map(String));
      else actionsIn(v, into);
    }
  }
  return into;
};

/** The LocalStack services a template needs, or the namespaces and prefixes with no known name. */
const servicesOf = (template: Template): { services: string[]; unknown: string[] } => {
  const resources = (template.toJSON() as { Resources: Record<string, { Type: string }> }).Resources;
  const namespaces = Object.values(resources)
    .map((r) => r.Type)
    // Custom resources run on a function of the template (AWS::Lambda::Function): nothing more.
    .filter((type) => !type.startsWith('Custom::'))
    .map((type) => type.split('::')[1]!);
  const prefixes = actionsIn(resources).map((action) => action.split(':')[0]!);
  const keys = [...new Set([...namespaces, ...prefixes])];
  return {
    services: [...new Set([...keys.flatMap((k) => LOCALSTACK_NAME[k] ?? []), ...DEPLOY_TOOLING])].sort(),
    unknown: keys.filter((k) => LOCALSTACK_NAME[k] === undefined),
  };
};

const composeServices = (): string[] => {
  const line = /^\s*SERVICES:\s*(\S+)\s*$/m.exec(COMPOSE);
  return (line?.[1] ?? '').split(',').filter(Boolean);
};

describe('docker-compose.localstack.yml', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(new CroniumStack(testApp(), 'Cronium'));
  });

  it('starts exactly the services the synthesized stack and its deploy use, each once', () => {
    // Arrange
    const { services, unknown } = servicesOf(template);

    // Act
    const started = composeServices();

    // Assert
    // A new namespace or action prefix in the stack needs its LocalStack name here, then in the compose file.
    expect(unknown).toEqual([]);
    expect([...started].sort()).toEqual(services);
    expect(new Set(started).size).toBe(started.length);
  });

  it('pins the LocalStack image to a release, not a moving tag', () => {
    const images = [...COMPOSE.matchAll(/^\s*image:\s*(\S+)\s*$/gm)].map((m) => m[1]);

    expect(images).toHaveLength(1);
    expect(images[0]).toMatch(/^localstack\/localstack-pro:\d+\.\d+\.\d+$/);
  });

  it('is what `npm run deploy:localstack` bootstraps and deploys with cdklocal', () => {
    const scripts = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts;

    expect(scripts['deploy:localstack']).toMatch(/^cdklocal bootstrap .*&& cdklocal deploy /);
    // The services above are the default stack's, which has no console (CloudFront): so is the deploy.
    expect(scripts['deploy:localstack']).toContain('-c cronium:console=false');
  });
});

describe('CroniumStack for an x86 machine (jobCpuArchitecture)', () => {
  it('runs the job tasks on X86_64 and has cdk deploy build their images for linux/amd64', () => {
    // Arrange / Act
    const stack = new CroniumStack(testApp(), 'Cronium', { jobCpuArchitecture: ecs.CpuArchitecture.X86_64 });

    // Assert
    const taskDefinitions = resourcesOfType(Template.fromStack(stack), 'AWS::ECS::TaskDefinition');
    expect(taskDefinitions.map(([, p]) => (p.RuntimePlatform as { CpuArchitecture: string }).CpuArchitecture)).toEqual([
      'X86_64',
      'X86_64',
      'X86_64',
    ]);
    const assembly = Stage.of(stack)!.synth();
    const manifest = JSON.parse(readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8')) as {
      dockerImages: Record<string, { source: { platform?: string } }>;
    };
    expect(Object.values(manifest.dockerImages).map((i) => i.source.platform)).toEqual(['linux/amd64', 'linux/amd64', 'linux/amd64']);
  });
});
