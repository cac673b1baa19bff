import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import { type Construct } from 'constructs';
import type { ScriptRuntime } from '../lambdas/core/model';
import { ConsoleHosting } from './ConsoleHosting';
import { CroniumFunction } from './CroniumFunction';
import { CroniumTable } from './CroniumTable';
import { Dispatcher } from './Dispatcher';
import { throwIfConflicts } from './InvalidPropsError';
import { JobCluster } from './JobCluster';
import { JobCompletion } from './JobCompletion';
import { JobQueue } from './JobQueue';
import { OperationsDashboard } from './OperationsDashboard';
import { JobRunner, RUNNER_REPORT_MARGIN } from './JobRunner';
import { JobWorkspace } from './JobWorkspace';
import { Reaper } from './Reaper';
import { JobNetwork } from './JobVpc';
import { RestApiConstruct } from './RestApiConstruct';
import { WebSocketApiConstruct } from './WebSocketApiConstruct';

/** Props of {@link CroniumStack}. */
export interface CroniumStackProps extends StackProps {
  /**
   * Jobs running at once across all tenants (`CRONIUM_MAX_CONCURRENT`).
   * @default 4
   */
  readonly maxConcurrentJobs?: number;
  /**
   * Most concurrent dispatcher invocations (2–1000).
   * @default 2
   */
  readonly dispatcherMaxConcurrency?: number;
  /**
   * Base image (`BASE` build argument) of every runtime image `cdk deploy` builds; see {@link JobClusterProps.imageBase}.
   * @default each Dockerfile's own default
   */
  readonly imageBase?: string;
  /**
   * Base image per runtime; overrides `imageBase` for the runtimes it names.
   * @default `imageBase`
   */
  readonly imageBases?: Partial<Record<ScriptRuntime, string>>;
  /**
   * CPU architecture of the job tasks and so of the runtime images `cdk deploy` builds
   * (`-c cronium:jobArchitecture=x86_64`: no emulation on an x86 machine, e.g. for LocalStack).
   * @default ecs.CpuArchitecture.ARM64
   */
  readonly jobCpuArchitecture?: ecs.CpuArchitecture;
  /**
   * Network of the job tasks.
   * @default JobNetwork.ISOLATED
   */
  readonly jobNetwork?: JobNetwork;
  /**
   * Removal policy of the table.
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * WAFv2 web ACL (REGIONAL) for the REST API stage: an opt-in, since a web ACL costs money every month
   * even with no request (docs/aws.md, "Idle cost").
   * @default none
   */
  readonly webAclArn?: string;
  /**
   * SSH jobs: the runner function runs in the job VPC's private subnets with egress through one NAT
   * gateway, so it reaches users' servers. `false` (`-c cronium:ssh=false`) leaves out the NAT gateway
   * (about $33 a month idle) and refuses ssh targets with a 400 (`CRONIUM_SSH_TARGETS=off`).
   * @default true
   */
  readonly ssh?: boolean;
  /**
   * The web console (docs/aws.md, "Web console on AWS"): its build on S3 behind CloudFront, the REST API
   * open by CORS to exactly its origin, and its URL an output. bin/app.ts asks for it unless
   * `-c cronium:console=false`; `distDir` is the build (`npm run build:console`).
   * @default none
   */
  readonly console?: { readonly distDir?: string };
}

/** Cronium on AWS: REST and WebSocket APIs, the job queue and dispatcher, the job cluster, one table. */
export class CroniumStack extends Stack {
  public readonly table: CroniumTable;
  public readonly queue: JobQueue;
  public readonly jobs: JobCluster;
  /** The S3 bucket container jobs' workspaces travel through, and its key. */
  public readonly workspace: JobWorkspace;
  public readonly restApi: RestApiConstruct;
  public readonly webSocketApi: WebSocketApiConstruct;
  /** Ends jobs from their tasks' STOPPED events and stores their CloudWatch log lines. */
  public readonly completion: JobCompletion;
  /** Runs each http, tool and ssh job in an invocation of its own. */
  public readonly jobRunner: JobRunner;
  /** The CloudWatch dashboard of the functions' EMF figures. */
  public readonly dashboard: OperationsDashboard;
  /** Encrypts secret variables; each ciphertext is bound to its tenant by encryption context. */
  public readonly secretsKey: kms.Key;
  /** The web console's bucket and distribution, when {@link CroniumStackProps.console} asks for it. */
  public readonly console?: ConsoleHosting;
  public readonly functions: {
    readonly rest: CroniumFunction;
    readonly authorizer: CroniumFunction;
    readonly websocket: CroniumFunction;
    readonly dispatcher: CroniumFunction;
    readonly tick: CroniumFunction;
    readonly deadLetters: CroniumFunction;
    readonly runner: CroniumFunction;
  };

  constructor(scope: Construct, id: string, props: CroniumStackProps = {}) {
    super(scope, id, props);
    const maxConcurrentJobs = props.maxConcurrentJobs ?? 4;
    throwIfConflicts(
      'CroniumStack',
      !Number.isInteger(maxConcurrentJobs) || maxConcurrentJobs < 1
        ? [`maxConcurrentJobs must be a positive integer, got ${maxConcurrentJobs}`]
        : [],
    );
    const dispatcherTimeout = Duration.seconds(60);

    this.table = new CroniumTable(this, 'Table', { removalPolicy: props.tableRemovalPolicy });
    this.queue = new JobQueue(this, 'Queue', { consumerTimeout: dispatcherTimeout });
    const ssh = props.ssh ?? true;
    this.jobs = new JobCluster(this, 'Jobs', {
      imageBase: props.imageBase,
      imageBases: props.imageBases,
      cpuArchitecture: props.jobCpuArchitecture,
      jobNetwork: props.jobNetwork,
      // The NAT gateway serves the ssh runner (and job tasks with JobNetwork.INTERNET); nothing else needs it.
      natGateways: ssh || props.jobNetwork === JobNetwork.INTERNET ? 1 : 0,
    });
    this.workspace = new JobWorkspace(this, 'Workspace', { endpoint: this.jobs.network.s3Endpoint });
    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description: 'Cronium secret variables (encryption context: tenant)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The AWS composition root (lambdas/handlers/aws/composition.ts) wires every port in every function
    // and requires all of these, so each function gets them all; IAM below is what stays per function.
    const runnerTimeout = Duration.minutes(15);
    const environment = {
      CRONIUM_TABLE: this.table.table.tableName,
      // Submissions refuse an http job the runner function could not finish.
      CRONIUM_RUNNER_TIMEOUT_SECONDS: String(runnerTimeout.toSeconds() - RUNNER_REPORT_MARGIN.toSeconds()),
      // Without the ssh runner (cronium:ssh=false) nothing reaches users' servers: refuse ssh targets.
      ...(ssh ? {} : { CRONIUM_SSH_TARGETS: 'off' }),
      CRONIUM_QUEUE_URL: this.queue.queue.queueUrl,
      CRONIUM_MAX_CONCURRENT: String(maxConcurrentJobs),
      CRONIUM_SECRETS_KEY_ID: this.secretsKey.keyArn,
      ...this.jobs.launcherEnvironment,
      ...this.workspace.environment,
    };

    const authorizer = new CroniumFunction(this, 'AuthorizerFunction', {
      entry: 'lambdas/handlers/authorizer.ts',
      description: 'Cronium API key authorizer (REST and WebSocket $connect)',
      timeout: Duration.seconds(10),
      environment,
    });
    const rest = new CroniumFunction(this, 'RestFunction', {
      entry: 'lambdas/handlers/rest.ts',
      description: 'Cronium REST API',
      environment,
    });
    const websocket = new CroniumFunction(this, 'WebSocketFunction', {
      entry: 'lambdas/handlers/websocket.ts',
      description: 'Cronium WebSocket routes',
      environment,
    });
    const dispatcher = new Dispatcher(this, 'Dispatcher', {
      queue: this.queue.queue,
      timeout: dispatcherTimeout,
      maxConcurrency: props.dispatcherMaxConcurrency,
      environment,
    }).function;
    const reaper = new Reaper(this, 'Reaper', { table: this.table, queue: this.queue, jobs: this.jobs, environment });
    this.jobRunner = new JobRunner(this, 'JobRunner', {
      timeout: runnerTimeout,
      environment,
      // ssh jobs leave from the private subnets through NAT; the group allows no inbound at all.
      ...(ssh
        ? {
            network: {
              vpc: this.jobs.network.vpc,
              subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
              securityGroups: [
                new ec2.SecurityGroup(this, 'RunnerSecurityGroup', {
                  vpc: this.jobs.network.vpc,
                  description: 'Cronium runner function: no inbound; outbound to users servers (SSH) and AWS APIs',
                  allowAllOutbound: true,
                }),
              ],
            },
          }
        : {}),
    });
    const runner = this.jobRunner.function;
    this.functions = { rest, authorizer, websocket, dispatcher, tick: reaper.tick, deadLetters: reaper.deadLetters, runner };
    this.completion = new JobCompletion(this, 'JobCompletion', {
      cluster: this.jobs.cluster,
      jobLogGroup: this.jobs.jobLogGroup,
      environment,
    });
    const { completion, logForwarder } = this.completion;

    this.restApi = new RestApiConstruct(this, 'RestApi', {
      handler: rest.fn,
      authorizer: authorizer.fn,
      webAclArn: props.webAclArn,
    });
    this.webSocketApi = new WebSocketApiConstruct(this, 'WebSocketApi', {
      handler: websocket.fn,
      authorizer: authorizer.fn,
    });
    // The stage logs through the account's CloudWatch role, which the REST API sets.
    this.webSocketApi.stage.node.addDependency(this.restApi.cloudWatchAccount);
    for (const fn of [authorizer, rest, websocket, dispatcher, completion, logForwarder, runner]) {
      fn.fn.addEnvironment('CRONIUM_WS_ENDPOINT', this.webSocketApi.managementEndpoint);
    }
    // The tick and the dead-letter consumer end jobs, which tells their subscribers.
    for (const fn of [reaper.tick, reaper.deadLetters]) {
      fn.fn.addEnvironment('CRONIUM_WS_ENDPOINT', this.webSocketApi.managementEndpoint);
      this.webSocketApi.grantManageConnections(fn);
    }

    // Least privilege per function: what each handler's use cases actually call.
    // The authorizer only looks its key up (GetItem): test/lib/leastPrivilege.test.ts holds each function's calls.
    this.table.grantGet(authorizer);
    for (const fn of [rest, websocket, dispatcher]) {
      this.table.grantReadWrite(fn);
      // Status and log lines go to subscribers from wherever a job changes.
      this.webSocketApi.grantManageConnections(fn);
    }
    // Secrets are written by REST and read (and written back by scripts) wherever logs are masked;
    // the WebSocket function only registers connections and replays stored (already masked) lines.
    for (const fn of [rest, dispatcher]) this.secretsKey.grant(fn.fn, 'kms:Encrypt', 'kms:Decrypt');
    // REST submits jobs; ending a job (cancel) and a full slot put jobs back on the queue.
    this.queue.grantSend(rest);
    this.queue.grantSend(dispatcher);
    // Ending a job frees its slot and offers waiting jobs again.
    this.queue.grantSend(completion);
    // Both store lines (masked: decrypt) and push them; the completion also stores variables a script set.
    for (const fn of [completion, logForwarder]) {
      this.table.grantReadWrite(fn);
      this.webSocketApi.grantManageConnections(fn);
    }
    this.secretsKey.grant(completion.fn, 'kms:Encrypt', 'kms:Decrypt');
    this.secretsKey.grant(logForwarder.fn, 'kms:Decrypt');
    this.jobs.grantLaunch(dispatcher);
    // The dispatcher hands each http job to its own runner invocation; the runner stores and pushes
    // its lines (masked: decrypt) and ends it, which frees its slot and offers a waiting job.
    this.jobRunner.grantHandOver(dispatcher);
    // POST /servers/{id}/test runs in the runner, from the network ssh jobs leave from; without the
    // ssh runner (cronium:ssh=false) the API refuses the test and invokes nothing.
    if (ssh) this.jobRunner.grantServerTests(rest);
    this.table.grantReadWrite(runner);
    this.webSocketApi.grantManageConnections(runner);
    // An ssh job's script may set a secret variable (Encrypt), as on the completion function.
    this.secretsKey.grant(runner.fn, 'kms:Encrypt', 'kms:Decrypt');
    this.queue.grantSend(runner);
    // The dispatcher stores each job's in/ and signs the task's presigned URLs.
    this.workspace.grantStage(dispatcher);
    // The completion function reads each job's out/ back.
    this.workspace.grantReadOutputs(completion);
    // Cancelling a running job stops its task.
    this.jobs.grantStop(rest);
    // /ready and /health check the job cluster and the queue (lambdas/adapters/{ecs,sqs}/healthCheck.ts).
    rest.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeClusters'], resources: [this.jobs.cluster.clusterArn] }));
    rest.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:GetQueueAttributes'], resources: [this.queue.queue.queueArn] }));
    this.dashboard = new OperationsDashboard(this, 'Operations');

    if (props.console) {
      this.console = new ConsoleHosting(this, 'Console', {
        restApi: this.restApi.api,
        webSocketStage: this.webSocketApi.stage,
        distDir: props.console.distDir,
      });
      // The console's page is on CloudFront's origin, the API on API Gateway's: CORS for that origin only.
      this.restApi.allowOrigin(this.console.origin);
      rest.fn.addEnvironment('CRONIUM_CONSOLE_ORIGIN', this.console.origin);
      new CfnOutput(this, 'ConsoleUrl', { value: this.console.url, description: 'Web console (sign in with an API key)' });
    }

    new CfnOutput(this, 'RestApiUrl', { value: this.restApi.api.url, description: 'REST API base URL' });
    new CfnOutput(this, 'WebSocketUrl', { value: this.webSocketApi.url, description: 'WebSocket URL (connect with ?token=<API key>)' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'QueueUrl', { value: this.queue.queue.queueUrl });
  }
}
