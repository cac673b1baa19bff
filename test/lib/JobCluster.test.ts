import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { InvalidPropsError, JobCluster, JobNetwork, type JobClusterProps } from '../../lib';
import { resourcesOfType, testStack, thrownBy } from './fixtures';

const build = (props: JobClusterProps | ((stack: Stack) => JobClusterProps) = {}) => {
  const stack = testStack();
  const jobs = new JobCluster(stack, 'Jobs', typeof props === 'function' ? props(stack) : props);
  return { stack, jobs, template: Template.fromStack(stack) };
};
const taskDefinitions = (template: Template) => resourcesOfType(template, 'AWS::ECS::TaskDefinition').map(([, p]) => p);
const imageOf = (td: Record<string, unknown>) => JSON.stringify((td.ContainerDefinitions as { Image: unknown }[])[0]?.Image);
describe('JobCluster', () => {
  it('creates a repository per runtime named cronium/<runtime>, scanned on push and retained', () => {
    // Arrange / Act
    const { template } = build();

    // Assert
    const repos = resourcesOfType(template, 'AWS::ECR::Repository').map(([, p]) => p);
    expect(repos.map((r) => r.RepositoryName).sort()).toEqual(['cronium/bash', 'cronium/node', 'cronium/python']);
    for (const r of repos) expect(r.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
    template.allResources('AWS::ECR::Repository', { DeletionPolicy: 'Retain' });
  });

  it('passes the network props to its JobVpc: the INTERNET network puts tasks in private subnets', () => {
    // Arrange / Act
    const { jobs, stack } = build({ jobNetwork: JobNetwork.INTERNET, natGateways: 2 });

    // Assert
    expect(stack.resolve(jobs.network.jobSubnets.subnetIds)).toEqual(stack.resolve(jobs.network.vpc.privateSubnets.map((s) => s.subnetId)));
    expect(jobs.network.vpc.privateSubnets).toHaveLength(2);
  });

  it('runs the images of the repositories it is given', () => {
    // Arrange / Act
    const { template } = build((stack) => ({
      repositories: { python: ecr.Repository.fromRepositoryName(stack, 'Py', 'team/python') },
    }));

    // Assert
    template.resourceCountIs('AWS::ECR::Repository', 2);
    expect(taskDefinitions(template).some((td) => imageOf(td).includes('team/python'))).toBe(true);
  });

  it('names the repositories it creates with the prefix it is given', () => {
    // Arrange / Act
    const { template } = build({ repositoryPrefix: 'acme-jobs' });

    // Assert
    const names = resourcesOfType(template, 'AWS::ECR::Repository').map(([, p]) => p.RepositoryName);
    expect(names.sort()).toEqual(['acme-jobs/bash', 'acme-jobs/node', 'acme-jobs/python']);
  });

  it('runs the image tag or digest it is given', () => {
    // Arrange
    const digest = `sha256:${'a'.repeat(64)}`;

    // Act
    const { template } = build({ imageTag: digest });

    // Assert
    for (const td of taskDefinitions(template)) expect(imageOf(td)).toContain(`@${digest}`);
  });

  it('sizes the tasks with the CPU and memory it is given', () => {
    // Arrange / Act
    const { template } = build({ cpu: 512, memoryLimitMiB: 1024 });

    // Assert
    for (const td of taskDefinitions(template)) expect(td).toMatchObject({ Cpu: '512', Memory: '1024' });
  });

  it('declares the CPU architecture it is given', () => {
    // Arrange / Act
    const { template } = build({ cpuArchitecture: ecs.CpuArchitecture.X86_64 });

    // Assert
    for (const td of taskDefinitions(template))
      expect(td.RuntimePlatform).toEqual({ CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' });
  });

  it('keeps job and flow logs for the retention it is given', () => {
    // Arrange / Act
    const { template } = build({ logRetention: logs.RetentionDays.THREE_MONTHS });

    // Assert
    const retentions = resourcesOfType(template, 'AWS::Logs::LogGroup').map(([, p]) => p.RetentionInDays);
    expect(retentions).toEqual([90, 90]);
  });

  it('refuses to synthesize once a task role has crept back into a task definition', () => {
    // Arrange
    const stack = testStack();
    const jobs = new JobCluster(stack, 'Jobs');
    const nodeTaskDefinition = jobs.taskDefinitions.node;
    (nodeTaskDefinition.node.defaultChild as ecs.CfnTaskDefinition).taskRoleArn = 'arn:aws:iam::111122223333:role/anything';

    // Act
    const error = thrownBy(() => Template.fromStack(stack));

    // Assert
    expect(String(error)).toContain('the node job task definition must have no task role');
  });

  it('rejects a malformed image tag, a size Fargate does not run and a network conflict, in one error', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(
      () =>
        new JobCluster(stack, 'Jobs', {
          imageTag: 'latest:v2',
          cpu: 256,
          memoryLimitMiB: 4096,
          jobNetwork: JobNetwork.INTERNET,
          natGateways: 0,
        }),
    );

    // Assert
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).conflicts).toEqual([
      expect.stringContaining('NAT gateway'),
      expect.stringContaining('imageTag'),
      expect.stringContaining('not a Fargate size'),
    ]);
  });
});
