import * as path from 'node:path';
import { Annotations, Fn, Stack } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { isFargateSize, JobTaskContract } from '../lambdas/adapters/ecs';
import { ScriptRuntimes, type ScriptRuntime } from '../lambdas/core/model';
import { acknowledgeNag } from './acknowledgeNag';
import { PROJECT_ROOT } from './CroniumFunction';
import { throwIfConflicts } from './InvalidPropsError';
import { JobVpc, jobVpcConflicts, type JobVpcProps } from './JobVpc';

/** The build context of every runtime image (each Dockerfile can `COPY helpers/ …`). */
export const RUNTIME_IMAGES_DIR = path.join(PROJECT_ROOT, 'runtime-images');

/** An image reference for `FROM`: `[host[:port]/]name[:tag][@sha256:digest]`, no spaces, no build-arg syntax (Docker checks the rest). */
const IMAGE_REF = /^[A-Za-z0-9][\w./:-]{0,254}(@sha256:[a-f0-9]{64})?$/;

/** Props of {@link JobCluster}; the network props go to its {@link JobVpc}. */
export interface JobClusterProps extends JobVpcProps {
  /**
   * An image per runtime built and published elsewhere (e.g. `ecs.ContainerImage.fromEcrRepository(repo, 'sha256:…')`);
   * the runtimes not named here are built by `cdk deploy`.
   * @default every runtime image built from runtime-images/<runtime>/Dockerfile as a CDK asset
   */
  readonly images?: Partial<Record<ScriptRuntime, ecs.ContainerImage>>;
  /**
   * Base image (the Dockerfiles' `BASE` build argument) of every runtime image built here, as
   * `scripts/build-images.sh --base`; pin a digest (`name:tag@sha256:…`) for builds that repeat.
   * @default each Dockerfile's own `ARG BASE=` default (an official public image)
   */
  readonly imageBase?: string;
  /**
   * Base image per runtime; overrides `imageBase` for the runtimes it names.
   * @default `imageBase`
   */
  readonly imageBases?: Partial<Record<ScriptRuntime, string>>;
  /**
   * Task CPU units (1024 = 1 vCPU); a job's resources override it at RunTask.
   * @default 256
   */
  readonly cpu?: number;
  /**
   * Task memory in MiB; a job's resources override it at RunTask. With `cpu`, a valid Fargate size.
   * @default 512
   */
  readonly memoryLimitMiB?: number;
  /**
   * CPU architecture the images are built for.
   * @default ecs.CpuArchitecture.ARM64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /**
   * Retention of the job output log group and of the VPC flow logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The ECS cluster that runs jobs: one hardened Fargate task definition per runtime (runtime-images/README.md, as
 * far as Fargate allows), in the network of {@link JobVpc}.
 *
 * Each job container runs as 1000:1000 with a read-only root file system, every capability dropped
 * and an init process; `/workspace` and `/tmp` are task-local volumes (Fargate has no tmpfs,
 * no-new-privileges nor PID limit). The tasks have NO task role: the `TaskRole` CDK always creates is
 * removed and `TaskRoleArn` left out of the template (a synth-time validation keeps it so), so code
 * in a job finds no AWS credentials at all. The execution role only pulls the image and writes logs.
 *
 * Images: each Dockerfile must create `/workspace` owned by 1000:1000 and `/tmp` with mode 1777 and
 * declare `VOLUME ["/workspace", "/tmp"]` at exactly those paths (no symlinks). Fargate copies a VOLUME
 * path's contents and ownership into the bind mount of the same path; without it the volume is
 * root-owned 0755 and the job cannot write. `cdk deploy` builds each image (for the tasks' CPU
 * architecture) from runtime-images/ and pushes it to the CDK bootstrap's asset repository, named by
 * the hash of its inputs: the stack owns no repository, so a destroy leaves nothing behind that
 * breaks the next deploy, and an unchanged image is neither built nor pushed again. `cdk synth` only
 * stages the build context; it builds nothing.
 */
export class JobCluster extends Construct {
  /** VPC, job subnets and the tasks' security group. */
  public readonly network: JobVpc;
  public readonly cluster: ecs.Cluster;
  public readonly executionRole: iam.Role;
  public readonly jobLogGroup: logs.LogGroup;
  /** The images `cdk deploy` builds and pushes: one per runtime not given in `images`. */
  public readonly imageAssets: Partial<Record<ScriptRuntime, ecrAssets.DockerImageAsset>>;
  public readonly taskDefinitions: Record<ScriptRuntime, ecs.FargateTaskDefinition>;

  constructor(scope: Construct, id: string, props: JobClusterProps = {}) {
    super(scope, id);
    const cpu = props.cpu ?? 256;
    const memoryLimitMiB = props.memoryLimitMiB ?? 512;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    const conflicts = jobVpcConflicts(props);
    const bases = Object.fromEntries(ScriptRuntimes.map((rt) => [rt, props.imageBases?.[rt] ?? props.imageBase]));
    for (const [rt, base] of Object.entries(bases)) {
      if (base !== undefined && !IMAGE_REF.test(base))
        conflicts.push(`the ${rt} image base ${JSON.stringify(base)} is not an image reference`);
    }
    if (!isFargateSize(cpu, memoryLimitMiB)) conflicts.push(`cpu ${cpu} with memoryLimitMiB ${memoryLimitMiB} is not a Fargate size`);
    throwIfConflicts('JobCluster', conflicts);

    this.jobLogGroup = new logs.LogGroup(this, 'JobLogs', { retention: logRetention });
    this.network = new JobVpc(this, 'Network', {
      vpc: props.vpc,
      natGateways: props.natGateways,
      jobNetwork: props.jobNetwork,
      logRetention,
    });
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const stack = Stack.of(this);
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      // Confused-deputy guard: only ECS acting for this account may assume it.
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ecs', resource: '*' }) },
      }),
      description: 'Pulls Cronium job images and writes their logs; never available to job code',
    });

    const cpuArchitecture = props.cpuArchitecture ?? ecs.CpuArchitecture.ARM64;
    const platform = cpuArchitecture === ecs.CpuArchitecture.X86_64 ? ecrAssets.Platform.LINUX_AMD64 : ecrAssets.Platform.LINUX_ARM64;
    const imageAssets: Partial<Record<ScriptRuntime, ecrAssets.DockerImageAsset>> = {};
    const imageOf = (rt: ScriptRuntime): ecs.ContainerImage => {
      const given = props.images?.[rt];
      if (given) return given;
      const asset = this.createImageAsset(rt, platform, bases[rt]);
      imageAssets[rt] = asset;
      return ecs.ContainerImage.fromDockerImageAsset(asset);
    };
    this.taskDefinitions = Object.fromEntries(
      ScriptRuntimes.map((rt) => [rt, this.createTaskDefinition(rt, { image: imageOf(rt), cpu, memoryLimitMiB, cpuArchitecture })]),
    ) as Record<ScriptRuntime, ecs.FargateTaskDefinition>;
    this.imageAssets = imageAssets;

    this.node.addValidation({
      validate: () =>
        ScriptRuntimes.filter((rt) => (this.taskDefinitions[rt].node.defaultChild as ecs.CfnTaskDefinition).taskRoleArn !== undefined).map(
          (rt) => `the ${rt} job task definition must have no task role`,
        ),
    });
    acknowledgeNag(
      this.executionRole,
      'AwsSolutions-IAM5',
      'ecr:GetAuthorizationToken, which every image pull needs, supports no resource-level permissions; ' +
        'the pull actions themselves are limited to the repositories of the job images.',
      ['Resource::*'],
    );
  }

  /** The variables the ECS launcher reads (`CRONIUM_ECS_*`, `CRONIUM_TASK_DEF_*`). */
  get launcherEnvironment(): Record<string, string> {
    return {
      CRONIUM_ECS_CLUSTER: this.cluster.clusterArn,
      CRONIUM_ECS_SUBNETS: Fn.join(',', this.network.jobSubnets.subnetIds),
      CRONIUM_ECS_SECURITY_GROUP: this.network.taskSecurityGroup.securityGroupId,
      ...Object.fromEntries(
        ScriptRuntimes.map((rt) => [`CRONIUM_TASK_DEF_${rt.toUpperCase()}`, this.taskDefinitions[rt].taskDefinitionArn]),
      ),
    };
  }

  /** Lets `grantee` stop job tasks (StopTask on this cluster's tasks): what cancelling a job needs. */
  grantStop(grantee: iam.IGrantable & Construct): void {
    this.grantOnTasks(grantee, 'ecs:StopTask');
  }

  /** Lets `grantee` read job tasks' state and tags (DescribeTasks on this cluster's tasks): what the tick's listing needs. */
  grantDescribe(grantee: iam.IGrantable & Construct): void {
    this.grantOnTasks(grantee, 'ecs:DescribeTasks');
  }

  private grantOnTasks(grantee: iam.IGrantable & Construct, action: string): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [action], resources: [this.clusterTasksArn] }));
    const clusterId = Stack.of(this).getLogicalId(this.cluster.node.defaultChild as ecs.CfnCluster);
    acknowledgeNag(
      grantee,
      'AwsSolutions-IAM5',
      'Task ids exist only once RunTask returns: StopTask, DescribeTasks and tag-on-launch cover the tasks ' +
        'of this one job cluster and nothing else.',
      [`Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<${clusterId}>/*`],
    );
  }

  /**
   * Lets `grantee` launch and stop job tasks: RunTask on the job task definitions in this cluster only,
   * tagging at launch, {@link grantStop} (a launch the store refuses is stopped), and PassRole on the execution role (there is no task role to pass).
   */
  grantLaunch(grantee: iam.IGrantable & Construct): void {
    const add = (statement: iam.PolicyStatementProps) => grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement(statement));
    add({
      actions: ['ecs:RunTask'],
      resources: ScriptRuntimes.map((rt) => this.taskDefinitions[rt].taskDefinitionArn),
      conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
    });
    add({
      actions: ['ecs:TagResource'],
      resources: [this.clusterTasksArn],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
    });
    add({
      actions: ['iam:PassRole'],
      resources: [this.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
    this.grantStop(grantee);
  }

  /** `arn:…:task/<cluster>/*`: every task of this cluster. */
  private get clusterTasksArn(): string {
    return Stack.of(this).formatArn({ service: 'ecs', resource: 'task', resourceName: `${this.cluster.clusterName}/*` });
  }

  /**
   * The runtime image of `runtime` as an asset: built by `cdk deploy` from runtime-images/ with its own
   * Dockerfile. The other runtimes' folders stay out of its context, so editing one image leaves the
   * others' hashes (and so their builds and pushes) alone. So does the Node binary build-images.sh may
   * leave in node/vendor/ for a local base: it is built for this machine, not for the tasks.
   */
  private createImageAsset(runtime: ScriptRuntime, platform: ecrAssets.Platform, base: string | undefined): ecrAssets.DockerImageAsset {
    const asset = new ecrAssets.DockerImageAsset(this, `${capitalize(runtime)}Image`, {
      directory: RUNTIME_IMAGES_DIR,
      file: `${runtime}/Dockerfile`,
      platform,
      buildArgs: base === undefined ? undefined : { BASE: base },
      exclude: [...ScriptRuntimes.filter((rt) => rt !== runtime).map((rt) => rt), 'node/vendor/node'],
      displayName: `Cronium ${runtime} runtime image`,
    });
    // A tag moves under the asset hash, which covers the base's name only: deploys a month apart build FROM different bases.
    if (base === undefined || !base.includes('@sha256:'))
      Annotations.of(asset).addWarningV2(
        'cronium:imageBaseNotPinned',
        `the ${runtime} runtime image builds FROM ${base ?? "its Dockerfile's ARG BASE= default"}, a tag, not a digest: ` +
          'run `npm run pin-bases` (or deploy with `npm run deploy`) to pin it in cdk.context.json',
      );
    return asset;
  }

  private createTaskDefinition(
    runtime: ScriptRuntime,
    o: { image: ecs.ContainerImage; cpu: number; memoryLimitMiB: number; cpuArchitecture: ecs.CpuArchitecture },
  ): ecs.FargateTaskDefinition {
    const name = capitalize(runtime);
    const volumes = [
      { name: 'workspace', containerPath: JobTaskContract.workspacePath },
      { name: 'tmp', containerPath: JobTaskContract.tmpPath },
    ];
    const td = new ecs.FargateTaskDefinition(this, `${name}TaskDefinition`, {
      cpu: o.cpu,
      memoryLimitMiB: o.memoryLimitMiB,
      executionRole: this.executionRole,
      runtimePlatform: { cpuArchitecture: o.cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      // Task-local volumes (no host path): writable places on a read-only root, gone with the task.
      volumes: volumes.map((v) => ({ name: v.name })),
    });
    // No task role: CDK always creates one, so take it out of the tree and out of the template.
    td.node.tryRemoveChild('TaskRole');
    (td.node.defaultChild as ecs.CfnTaskDefinition).taskRoleArn = undefined;

    const linuxParameters = new ecs.LinuxParameters(this, `${name}LinuxParameters`, { initProcessEnabled: true });
    linuxParameters.dropCapabilities(ecs.Capability.ALL);
    const container = td.addContainer(JobTaskContract.containerName, {
      containerName: JobTaskContract.containerName,
      image: o.image,
      user: JobTaskContract.user,
      readonlyRootFilesystem: true,
      privileged: false,
      essential: true,
      linuxParameters,
      workingDirectory: JobTaskContract.workspacePath,
      // Blocking, written out (AWS's default for new accounts is non-blocking, which drops lines when its
      // buffer fills): a job's log is its record. Why: runtime-images/README.md, "Log driver mode".
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.jobLogGroup, streamPrefix: runtime, mode: ecs.AwsLogDriverMode.BLOCKING }),
    });
    container.addMountPoints(...volumes.map((v) => ({ sourceVolume: v.name, containerPath: v.containerPath, readOnly: false })));
    return td;
  }
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
