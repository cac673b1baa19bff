import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Stage, type Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { InvalidPropsError, JobCluster, JobNetwork, type JobClusterProps } from '../../lib';
import { resourcesOfType, testStack, thrownBy } from './fixtures';

const build = (props: JobClusterProps | ((stack: Stack) => JobClusterProps) = {}) => {
  const stack = testStack();
  const jobs = new JobCluster(stack, 'Jobs', typeof props === 'function' ? props(stack) : props);
  return { stack, jobs, template: Template.fromStack(stack) };
};
const taskDefinitionsById = (template: Template) => resourcesOfType(template, 'AWS::ECS::TaskDefinition');
const taskDefinitions = (template: Template) => taskDefinitionsById(template).map(([, p]) => p);
const imageOf = (td: Record<string, unknown>) => JSON.stringify((td.ContainerDefinitions as { Image: unknown }[])[0]?.Image);
type DockerImageSource = { directory: string; dockerFile: string; dockerBuildArgs?: Record<string, string>; platform?: string };
/** What `cdk deploy` builds: the Docker images of the stack's asset manifest, by asset hash, with their staged context. */
const dockerImagesOf = (stack: Stack): Array<DockerImageSource & { hash: string; files: string[] }> => {
  const assembly = Stage.of(stack)!.synth();
  const manifest = JSON.parse(readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8')) as {
    dockerImages?: Record<string, { source: DockerImageSource }>;
  };
  return Object.entries(manifest.dockerImages ?? {}).map(([hash, { source }]) => ({
    hash,
    ...source,
    files: readdirSync(path.join(assembly.directory, source.directory), { recursive: true }).map(String),
  }));
};
describe('JobCluster', () => {
  it('has cdk deploy build each runtime image from its own Dockerfile for ARM64 tasks, and owns no repository', () => {
    // Arrange / Act
    const { stack, jobs, template } = build();

    // Assert
    const images = dockerImagesOf(stack);
    expect(images.map((i) => i.dockerFile).sort()).toEqual(['bash/Dockerfile', 'node/Dockerfile', 'python/Dockerfile']);
    for (const i of images) expect([i.platform, i.dockerBuildArgs]).toEqual(['linux/arm64', undefined]);
    // Each task definition runs the image built from its own runtime's Dockerfile.
    for (const rt of ['bash', 'node', 'python'] as const) {
      const hash = jobs.imageAssets[rt]?.assetHash ?? '';
      expect(images.find((i) => i.dockerFile === `${rt}/Dockerfile`)?.hash).toBe(hash);
      const logicalId = stack.getLogicalId(jobs.taskDefinitions[rt].node.defaultChild as ecs.CfnTaskDefinition);
      expect(imageOf(Object.fromEntries(taskDefinitionsById(template))[logicalId] ?? {})).toContain(`:${hash}`);
    }
    // Nothing the stack owns or retains holds images: a destroy leaves nothing a redeploy trips over.
    template.resourceCountIs('AWS::ECR::Repository', 0);
  });

  it("stages only an image's own folder, the shared files and no local Node binary as its build context", () => {
    // Arrange / Act
    const { stack } = build();

    // Assert
    const python = dockerImagesOf(stack).find((i) => i.dockerFile === 'python/Dockerfile');
    expect(python?.files).toEqual(expect.arrayContaining(['python/Dockerfile', 'helpers/cronium.py', 'scripts/cronium-entrypoint.sh']));
    expect(python?.files.filter((f) => /^(bash|node)(\/|$)|\.md$/.test(f))).toEqual([]);
    const node = dockerImagesOf(stack).find((i) => i.dockerFile === 'node/Dockerfile');
    expect(node?.files).toContain('node/Dockerfile');
    expect(node?.files).not.toContain(path.join('node', 'vendor', 'node'));
  });

  it("builds FROM the base it is given, a runtime's own base over the common one", () => {
    // Arrange
    const pinned = `python:3.12-Slim-bookworm@sha256:${'b'.repeat(64)}`;

    // Act
    const { stack } = build({ imageBase: 'cronium-base:bookworm', imageBases: { python: pinned } });

    // Assert
    const argsOf = (rt: string) => dockerImagesOf(stack).find((i) => i.dockerFile === `${rt}/Dockerfile`)?.dockerBuildArgs;
    expect(argsOf('python')).toEqual({ BASE: pinned });
    expect(argsOf('bash')).toEqual({ BASE: 'cronium-base:bookworm' });
    expect(argsOf('node')).toEqual({ BASE: 'cronium-base:bookworm' });
  });

  it('passes the network props to its JobVpc: the INTERNET network puts tasks in private subnets', () => {
    // Arrange / Act
    const { jobs, stack } = build({ jobNetwork: JobNetwork.INTERNET, natGateways: 2 });

    // Assert
    expect(stack.resolve(jobs.network.jobSubnets.subnetIds)).toEqual(stack.resolve(jobs.network.vpc.privateSubnets.map((s) => s.subnetId)));
    expect(jobs.network.vpc.privateSubnets).toHaveLength(2);
  });

  it('runs the images it is given and builds only the others', () => {
    // Arrange
    const digest = `sha256:${'a'.repeat(64)}`;

    // Act
    const { stack, jobs, template } = build((scope) => ({
      images: { python: ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(scope, 'Py', 'team/python'), digest) },
    }));

    // Assert
    expect(
      dockerImagesOf(stack)
        .map((i) => i.dockerFile)
        .sort(),
    ).toEqual(['bash/Dockerfile', 'node/Dockerfile']);
    expect(Object.keys(jobs.imageAssets).sort()).toEqual(['bash', 'node']);
    const images = taskDefinitions(template).map(imageOf);
    expect(images.filter((i) => i.includes('team/python') && i.includes(`@${digest}`))).toHaveLength(1);
  });

  it('sizes the tasks with the CPU and memory it is given', () => {
    // Arrange / Act
    const { template } = build({ cpu: 512, memoryLimitMiB: 1024 });

    // Assert
    for (const td of taskDefinitions(template)) expect(td).toMatchObject({ Cpu: '512', Memory: '1024' });
  });

  it('declares the CPU architecture it is given and builds the images for it', () => {
    // Arrange / Act
    const { stack, template } = build({ cpuArchitecture: ecs.CpuArchitecture.X86_64 });

    // Assert
    for (const td of taskDefinitions(template))
      expect(td.RuntimePlatform).toEqual({ CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' });
    for (const i of dockerImagesOf(stack)) expect(i.platform).toBe('linux/amd64');
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

  it('rejects a malformed image base, a size Fargate does not run and a network conflict, in one error', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(
      () =>
        new JobCluster(stack, 'Jobs', {
          imageBases: { node: 'node:22 --build-arg X=1' },
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
      expect.stringContaining('the node image base'),
      expect.stringContaining('not a Fargate size'),
    ]);
  });
});
